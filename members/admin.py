"""Django admin for members: read-only, for looking.

A membership's state changes only through ``members.services`` (history, audit), classes
and weights only as a new rule-set version (``/manage/governance/rules/``), applications and
organisations through the committee's pages, which audit them. Ending a membership is an
admin action that calls the service.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.errors import DomainError
from members.models import (
    ApplicationMessage,
    CorporateGroup,
    Invitation,
    Membership,
    MembershipApplication,
    MembershipClass,
    MembershipEvent,
    Organisation,
    Reminder,
    RepresentativeChange,
)
from members.services.transitions import membership_end


@admin.register(MembershipClass)
class MembershipClassAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "rule_set",
        "kind",
        "annual_dues_minor",
        "currency",
        "vote_weight",
        "position",
    )
    list_filter = ("rule_set", "kind", "is_sponsor", "renewal_needs_approval")
    search_fields = ("code", "name")
    ordering = ("rule_set", "position", "code")


class MembershipEventInline(ReadOnlyInline):
    model = MembershipEvent
    ordering = ("-at", "-id")
    fields = ("at", "kind", "state", "class_code", "expires_at", "reason", "decision_ref", "actor_ref")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("number", "subject", "class_code", "state", "expires_at")
    list_filter = ("state", "class_code", "in_directory")
    search_fields = (
        "number",
        "user__email",
        "user__full_name",
        "organisation__legal_name",
    )
    list_select_related = ("user", "organisation")
    inlines = [MembershipEventInline]
    actions = ["end_memberships"]

    @admin.display(description=gettext_lazy("Member"))
    def subject(self, obj: Membership) -> str:
        return obj.subject_name

    @admin.action(description=gettext_lazy("End the selected memberships"))
    def end_memberships(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        ended = 0
        for membership in queryset.order_by("pk"):
            try:
                membership_end(
                    membership=membership, actor=request.user, reason=_("Ended by an administrator.")
                )
            except DomainError as exc:
                self.message_user(request, f"{membership.number}: {exc.message}", messages.WARNING)
            else:
                ended += 1
        if ended:
            self.message_user(
                request, _("%(count)d membership(s) ended.") % {"count": ended}, messages.SUCCESS
            )


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdmin):
    list_display = ("membership", "at", "kind", "state", "class_code", "expires_at", "decision_ref")
    list_filter = ("kind", "state", "class_code")
    search_fields = ("membership__number", "decision_ref")
    list_select_related = ("membership__user", "membership__organisation")
    date_hierarchy = "at"


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("membership", "term_expires_at", "offset_days", "sent_at", "email_status", "dismissed_at")
    list_filter = ("offset_days",)
    search_fields = ("membership__number",)
    list_select_related = ("membership__user", "membership__organisation", "email")

    @admin.display(description=gettext_lazy("Email"))
    def email_status(self, obj: Reminder) -> str:
        return obj.email.get_status_display() if obj.email is not None else "—"


# --- Applications, organisations and invitations ---------------------------------------------


class ApplicationMessageInline(ReadOnlyInline):
    model = ApplicationMessage
    fields = ("created_at", "from_committee", "author", "body")


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "applicant", "legal_name", "class_code", "is_renewal", "state", "submitted_at")
    list_filter = ("state", "class_code", "is_renewal")
    search_fields = ("applicant__email", "legal_name", "representative_email")
    date_hierarchy = "submitted_at"
    list_select_related = ("applicant",)
    inlines = [ApplicationMessageInline]


class RepresentativeChangeInline(ReadOnlyInline):
    model = RepresentativeChange
    fields = ("changed_at", "role", "user", "changed_by")
    ordering = ("-changed_at", "-id")


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("legal_name", "slug", "corporate_group", "representative", "in_directory", "created_at")
    list_filter = ("in_directory",)
    search_fields = ("legal_name", "corporate_group__name", "slug")
    list_select_related = ("representative", "corporate_group")
    inlines = [RepresentativeChangeInline]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("email", "organisation__legal_name")
    list_select_related = ("organisation",)


@admin.register(CorporateGroup)
class CorporateGroupAdmin(ReadOnlyAdmin):
    """Groups change only on the membership committee's page (/manage/members/groups/), audited."""

    list_display = ("name", "confirmed", "parent", "merged_into", "created_at")
    list_filter = ("confirmed",)
    search_fields = ("name", "name_key")
    list_select_related = ("parent", "merged_into")
