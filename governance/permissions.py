"""Permission checks: ``can_<verb>_<thing>(user, obj)``, reused by views and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from governance.models import Role, RoleAssignment

PRIVILEGED_ROLES = frozenset(Role.values)


def active_roles(user: Any, *, at: dt.datetime | None = None) -> set[str]:
    """The roles ``user`` holds at ``at``; cached per request on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if at is None:
        cached: set[str] | None = getattr(user, "_charter_roles", None)
        if cached is not None:
            return cached
    roles = set(RoleAssignment.objects.active(at).filter(user=user).values_list("role", flat=True))
    if at is None:
        user._charter_roles = roles
    return roles


def has_role(user: Any, *roles: str, at: dt.datetime | None = None) -> bool:
    return bool(active_roles(user, at=at) & set(roles))


def is_privileged(user: Any) -> bool:
    """Staff, superusers and anyone holding a role must use two-factor authentication."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or active_roles(user))


def can_review_applications(user: Any) -> bool:
    return has_role(user, Role.MEMBERSHIP_COMMITTEE) or bool(getattr(user, "is_superuser", False))


def can_manage_members(user: Any) -> bool:
    return can_review_applications(user) or has_role(user, Role.STAFF)


def can_suspend_members(user: Any) -> bool:
    return has_role(user, Role.SECRETARY, Role.CHAIR) or bool(getattr(user, "is_superuser", False))


def can_view_treasury(user: Any) -> bool:
    return has_role(user, Role.TREASURER, Role.STAFF) or bool(getattr(user, "is_superuser", False))


def can_reset_mfa(user: Any, target: Any) -> bool:
    return bool(getattr(user, "is_staff", False)) and user.pk != target.pk
