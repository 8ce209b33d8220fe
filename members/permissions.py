"""Who may do what with applications, organisations, memberships and the member list.

``can_<verb>_<thing>(user, obj=None) -> bool``, used by views (through
``core.access.permission_required``) and by the services acting for a person.
"""

from __future__ import annotations

from typing import Any

from core.access import acts_as, is_authenticated
from core.models import Role
from members.models import Membership, MembershipApplication, Organisation, Reminder


def can_review_applications(user: Any, obj: Any = None) -> bool:
    """The membership committee reviews applications and renewals."""
    return acts_as(user, Role.MEMBERSHIP_COMMITTEE)


def can_manage_members(user: Any, obj: Any = None) -> bool:
    return can_review_applications(user) or acts_as(user, Role.STAFF)


def can_suspend_members(user: Any, obj: Any = None) -> bool:
    """Suspension is by board decision: the secretary or the chair records it."""
    return acts_as(user, Role.SECRETARY, Role.CHAIR)


def can_view_application(user: Any, application: MembershipApplication) -> bool:
    """The applicant and the membership committee; nobody else learns it exists."""
    if not is_authenticated(user):
        return False
    return application.applicant_id == user.pk or can_review_applications(user)


def can_answer_application(user: Any, application: MembershipApplication) -> bool:
    return is_authenticated(user) and application.applicant_id == user.pk and application.is_open


def can_withdraw_application(user: Any, application: MembershipApplication) -> bool:
    return can_answer_application(user, application)


def can_decide_application(user: Any, application: MembershipApplication) -> bool:
    """Committee members decide, but never on their own application."""
    return (
        is_authenticated(user)
        and can_review_applications(user)
        and application.applicant_id != user.pk
        and application.is_open
    )


def can_manage_organisation(user: Any, organisation: Organisation) -> bool:
    """Organisation admins edit the profile and choose the representatives."""
    if not is_authenticated(user):
        return False
    if acts_as(user):  # a superuser, who acts as every role
        return True
    return organisation.admins.filter(pk=user.pk).exists()


def can_view_organisation(user: Any, organisation: Organisation) -> bool:
    if not is_authenticated(user):
        return False
    if user.pk in (organisation.representative_id, organisation.alternate_id):
        return True
    return can_manage_organisation(user, organisation) or can_review_applications(user)


def can_act_for_membership(user: Any, membership: Membership) -> bool:
    """The member themself, or the organisation's representative or one of its admins."""
    if not is_authenticated(user):
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
    return bool(org is not None and is_authenticated(user) and org.alternate_id == user.pk)


def can_dismiss_reminder(user: Any, reminder: Reminder) -> bool:
    membership = reminder.membership
    if can_act_for_membership(user, membership):
        return True
    org = membership.organisation if membership.organisation_id else None
    return bool(org is not None and is_authenticated(user) and org.alternate_id == user.pk)


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
