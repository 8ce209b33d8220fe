"""Permission checks for memberships, renewals, the member list and suspensions.

``can_<verb>_<thing>(user, obj) -> bool``, reused by views and services.
"""

from __future__ import annotations

from typing import Any

from governance.permissions import can_manage_members, can_suspend_members
from members.models import Membership, Reminder


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_act_for_membership(user: Any, membership: Membership) -> bool:
    """The member themself, or the organisation's representative or one of its admins."""
    if not _authenticated(user):
        return False
    if membership.user_id is not None:
        return bool(membership.user_id == user.pk)
    org = membership.organisation
    if org is None:
        return False
    return org.representative_id == user.pk or org.admins.filter(pk=user.pk).exists()


def can_view_membership(user: Any, membership: Membership) -> bool:
    """The member, the representative and alternate, or the committee."""
    if can_act_for_membership(user, membership) or can_manage_members(user):
        return True
    org = membership.organisation if membership.organisation_id else None
    return bool(org is not None and _authenticated(user) and org.alternate_id == user.pk)


def can_dismiss_reminder(user: Any, reminder: Reminder) -> bool:
    membership = reminder.membership
    if can_act_for_membership(user, membership):
        return True
    org = membership.organisation if membership.organisation_id else None
    return bool(org is not None and _authenticated(user) and org.alternate_id == user.pk)


def can_list_members(user: Any) -> bool:
    return can_manage_members(user)


def can_export_members(user: Any) -> bool:
    return can_manage_members(user)


def can_view_not_reached(user: Any) -> bool:
    return can_manage_members(user)


def can_suspend_member(user: Any, membership: Membership) -> bool:
    """Suspension is by board decision: the secretary or the chair records it."""
    return can_suspend_members(user)


def can_reinstate_member(user: Any, membership: Membership) -> bool:
    return can_suspend_members(user)
