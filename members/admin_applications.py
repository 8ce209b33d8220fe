"""Admin for applications, organisations and invitations (imported by ``members/admin.py``).

The admin is for looking and for emergencies; decisions go through the committee pages,
which audit them. History rows (messages, representative changes) are read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from members.models import (
    ApplicationMessage,
    Invitation,
    MembershipApplication,
    Organisation,
    RepresentativeChange,
)


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
