"""Django admin for members: a read-mostly view for staff.

A membership's state changes only through ``members.services.transitions`` (history,
audit), so the state and term fields are read-only here; ending a membership is an
admin action that calls the service. Applications, organisations and invitations are
for looking and for emergencies; decisions go through the committee pages, which audit
them, and history rows (messages, representative changes) are read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from members.models import (
    ApplicationMessage,
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
class MembershipClassAdmin(admin.ModelAdmin):
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


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    extra = 0
    can_delete = False
    ordering = ("-at", "-id")
    fields = ("at", "kind", "state", "class_code", "expires_at", "reason", "decision_ref", "actor_ref")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("number", "subject", "class_code", "state", "expires_at")
    list_filter = ("state", "class_code", "in_directory")
    search_fields = (
        "number",
        "user__email",
        "user__full_name",
        "organisation__legal_name",
    )
    list_select_related = ("user", "organisation")
    raw_id_fields = ("user", "organisation")
    readonly_fields = (
        "number",
        "state",
        "class_code",
        "member_since",
        "term_start",
        "expires_at",
        "suspension_reason",
        "created_at",
        "updated_at",
    )
    inlines = [MembershipEventInline]
    actions = ["end_memberships"]

    @admin.display(description=gettext_lazy("Member"))
    def subject(self, obj: Membership) -> str:
        return obj.subject_name

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Who the membership belongs to is fixed once it exists.
        if obj is not None:
            return (*self.readonly_fields, "user", "organisation")
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # numbers and history stay for life

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
class MembershipEventAdmin(admin.ModelAdmin):
    list_display = ("membership", "at", "kind", "state", "class_code", "expires_at", "decision_ref")
    list_filter = ("kind", "state", "class_code")
    search_fields = ("membership__number", "decision_ref")
    list_select_related = ("membership__user", "membership__organisation")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("membership", "term_expires_at", "offset_days", "sent_at", "email_status", "dismissed_at")
    list_filter = ("offset_days",)
    search_fields = ("membership__number",)
    list_select_related = ("membership__user", "membership__organisation", "email")
    readonly_fields = ("membership", "term_expires_at", "offset_days", "sent_at", "email", "dismissed_at")

    @admin.display(description=gettext_lazy("Email"))
    def email_status(self, obj: Reminder) -> str:
        return obj.email.get_status_display() if obj.email is not None else "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# --- Applications, organisations and invitations ---------------------------------------------


class ApplicationMessageInline(admin.TabularInline):
    model = ApplicationMessage
    extra = 0
    fields = ("created_at", "from_committee", "author", "body")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    list_display = ("pk", "applicant", "legal_name", "class_code", "is_renewal", "state", "submitted_at")
    list_filter = ("state", "class_code", "is_renewal")
    search_fields = ("applicant__email", "legal_name", "representative_email")
    date_hierarchy = "submitted_at"
    list_select_related = ("applicant",)
    raw_id_fields = ("applicant", "organisation", "membership", "decided_by")
    readonly_fields = (
        "legal_name_key",
        "state",
        "decided_by",
        "decided_at",
        "membership",
        "submitted_at",
        "updated_at",
    )
    inlines = [ApplicationMessageInline]


class RepresentativeChangeInline(admin.TabularInline):
    model = RepresentativeChange
    extra = 0
    fields = ("changed_at", "role", "user", "changed_by")
    readonly_fields = fields
    can_delete = False
    ordering = ("-changed_at", "-id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "slug", "corporate_group", "representative", "in_directory", "created_at")
    list_filter = ("in_directory",)
    search_fields = ("legal_name", "corporate_group", "slug")
    prepopulated_fields = {"slug": ("legal_name",)}
    list_select_related = ("representative",)
    # Representatives change through the organisation page (it records the history).
    readonly_fields = ("representative", "alternate", "created_at")
    filter_horizontal = ("admins",)
    inlines = [RepresentativeChangeInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("email", "organisation__legal_name")
    list_select_related = ("organisation",)
    raw_id_fields = ("organisation", "invited_by")
    readonly_fields = ("accepted_at", "created_at")
