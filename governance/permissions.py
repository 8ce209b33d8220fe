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


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def can_call_meeting(user: Any) -> bool:
    """The chair calls meetings; the secretary records them (and may schedule them)."""
    return has_role(user, Role.CHAIR, Role.SECRETARY) or _superuser(user)


def can_record_meeting(user: Any, meeting: Any = None) -> bool:
    """Attendance, agenda, roll calls: the board secretary."""
    return has_role(user, Role.SECRETARY) or _superuser(user)


def can_draft_minutes(user: Any, minutes: Any = None) -> bool:
    return has_role(user, Role.SECRETARY) or _superuser(user)


def can_publish_minutes(user: Any, minutes: Any = None) -> bool:
    return has_role(user, Role.SECRETARY) or _superuser(user)


def can_read_drafts(user: Any) -> bool:
    """Directors and officers read draft minutes and unpublished meetings."""
    return has_role(user, Role.DIRECTOR, Role.CHAIR, Role.SECRETARY, Role.TREASURER) or _superuser(user)


def can_manage_board(user: Any) -> bool:
    """Seats, officers, committees and policies: the secretary and the chair."""
    return has_role(user, Role.SECRETARY, Role.CHAIR) or _superuser(user)


def can_run_elections(user: Any) -> bool:
    """Only the election committee runs elections."""
    return has_role(user, Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR) or _superuser(user)


def can_certify_elections(user: Any) -> bool:
    return has_role(user, Role.ELECTION_COMMITTEE_CHAIR) or _superuser(user)
