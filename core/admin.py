"""The Django admin: a window for staff, not a back door.

- It signs in only through the site's own login (allauth, with its rate limits and the
  TOTP stage); ``/admin/login/`` redirects there. The second-factor middleware then requires
  that *this session* passed two-factor authentication before any admin page opens.
- Whatever the bylaws govern is read-only here (``ReadOnlyAdmin``): every change goes
  through a service that checks who acts and writes an audit entry.
- Authenticator secrets are never displayed.
"""

from typing import Any

from allauth.account.decorators import secure_admin_login
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.models import AuditEntry, OutboxMessage, OutgoingEmail, RoleAssignment, RuleSet, User
from core.services.accounts import user_reset_mfa


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name", "public_id"]
    readonly_fields = ["public_id", "date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password", "public_id")}),
        (_("Person"), {"fields": ("full_name",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor authentication (lost device)"))
    def reset_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            try:
                user_reset_mfa(actor=request.user, user=user, reason="lost device (admin action)")
            except DomainError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("Two-factor reset for %(u)s.") % {"u": user}, messages.SUCCESS)


admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For governed and recorded data: browse and search, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """A read-only inline for a ``ReadOnlyAdmin``: rows are shown, never added, changed or deleted."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    """Versions are drafted and adopted under /manage/governance/rules/ (audited)."""

    list_display = ["version", "name", "effective_from", "adopted_by"]
    search_fields = ["name", "adopted_by", "notes"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    """Roles are granted and ended by the board's services (officers, committees), which audit."""

    list_display = ["user", "role", "starts_at", "ends_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "note"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "action", "object_type", "object_ref", "actor_ref"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_ref", "actor_ref", "hash"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["task_name", "created_at", "available_at", "sent_at", "attempts"]
    list_filter = ["task_name", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["task_name", "id"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = ["subject", "to", "purpose", "status", "created_at", "sent_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["to", "subject", "subject_ref", "message_id"]


# allauth's own admin shows (and lets staff edit) each authenticator's data, TOTP secret included.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Which devices people use and when; the secrets stay out of sight. Resets: the user action."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", "created_at", "last_used_at"]
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    search_fields = ["user__email"]
