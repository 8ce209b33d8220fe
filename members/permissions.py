"""Who may do what with applications, organisations, memberships and the member list.

Every ``can_<verb>_<thing>(user, obj=None) -> bool`` of the members app (billing keeps its
own in ``members/billing/permissions.py``). Views are guarded with
``core.access.permission_required(can_x)``; services acting for a person call the same
check for their ``actor`` and raise ``NotAllowed``. The rules say *who*; whether the
object's state allows the act (an application still open, a membership not ended) is the
service's business and is refused with its own error code.
"""

from __future__ import annotations

import enum
from typing import Any

from django.db.models import Q

from core.access import acts_as, is_authenticated
from core.models import Role
from members.models import (
    Invitation,
    Membership,
    MembershipApplication,
    MembershipState,
    Organisation,
    Reminder,
)

# --- Applying and the committee's queue -------------------------------------------------------


def can_apply_for_membership(user: Any, obj: Any = None) -> bool:
    """Anyone signed in may apply (the service refuses those who are members already)."""
    return is_authenticated(user)


def can_list_own_applications(user: Any, obj: Any = None) -> bool:
    return is_authenticated(user)


def can_review_applications(user: Any, obj: Any = None) -> bool:
    """The membership committee reviews applications and renewals."""
    return acts_as(user, Role.MEMBERSHIP_COMMITTEE)


def can_view_application(user: Any, application: MembershipApplication) -> bool:
    """The applicant and the membership committee; nobody else learns it exists."""
    if not is_authenticated(user):
        return False
    return application.applicant_id == user.pk or can_review_applications(user)


def can_answer_application(user: Any, application: MembershipApplication) -> bool:
    """Only the applicant writes in the thread on their side."""
    return is_authenticated(user) and application.applicant_id == user.pk


def can_withdraw_application(user: Any, application: MembershipApplication) -> bool:
    return can_answer_application(user, application)


def can_decide_application(user: Any, application: MembershipApplication) -> bool:
    """Committee members ask, approve and reject, but never on their own application."""
    return can_review_applications(user) and application.applicant_id != user.pk


# --- Organisations ----------------------------------------------------------------------------


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


def can_manage_corporate_groups(user: Any, obj: Any = None) -> bool:
    """The membership committee confirms, merges and links corporate groups, and decides
    the group changes organisations ask for."""
    return acts_as(user, Role.MEMBERSHIP_COMMITTEE)


def can_request_group_change(user: Any, organisation: Organisation) -> bool:
    """An organisation's admins ask for another group (the committee confirms); the committee sets it."""
    return can_manage_organisation(user, organisation) or can_manage_corporate_groups(user)


def can_propose_corporate_group(user: Any, obj: Any = None) -> bool:
    """Anyone signed in may name a group that is not in the list yet (it stays unconfirmed)."""
    return is_authenticated(user)


def owns_email(user: Any, email: str) -> bool:
    """``email`` is the user's login address or one of their verified addresses."""
    if not is_authenticated(user):
        return False
    if user.email.casefold() == email.casefold():
        return True
    return bool(user.emailaddress_set.filter(email__iexact=email, verified=True).exists())


def can_accept_invitation(user: Any, invitation: Invitation) -> bool:
    """The person signed in with the address the invitation was sent to."""
    return owns_email(user, invitation.email)


# --- Memberships ------------------------------------------------------------------------------


def can_view_own_membership(user: Any, obj: Any = None) -> bool:
    """Anyone signed in has a membership page (it says so when they are not a member)."""
    return is_authenticated(user)


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


def can_declare_employer(user: Any, membership: Membership) -> bool:
    """An individual member declares their own employer's group (optional, private by default)."""
    return is_authenticated(user) and membership.user_id is not None and membership.user_id == user.pk


def can_apply_for_renewal(user: Any, membership: Membership) -> bool:
    """A renewal the committee approves is an application: the member, or an organisation's admins."""
    if not is_authenticated(user):
        return False
    if membership.organisation_id is not None:
        org = membership.organisation
        return org is not None and org.admins.filter(pk=user.pk).exists()
    return bool(membership.user_id == user.pk)


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


# --- The committee's member pages and suspension ----------------------------------------------


def can_manage_members(user: Any, obj: Any = None) -> bool:
    return can_review_applications(user) or acts_as(user, Role.STAFF)


def can_list_members(user: Any, obj: Any = None) -> bool:
    return can_manage_members(user)


def can_export_members(user: Any, obj: Any = None) -> bool:
    return can_manage_members(user)


def can_view_not_reached(user: Any, obj: Any = None) -> bool:
    return can_manage_members(user)


def can_suspend_members(user: Any, obj: Any = None) -> bool:
    """Suspension is by board decision: the secretary or the chair records it."""
    return acts_as(user, Role.SECRETARY, Role.CHAIR)


def can_suspend_member(user: Any, membership: Membership | None = None) -> bool:
    return can_suspend_members(user)


def can_reinstate_member(user: Any, membership: Membership | None = None) -> bool:
    """Lifting a suspension is a board decision too."""
    return can_suspend_members(user)


# --- Voting rights (the table in the README's API section) ------------------------------------
#
# - organisations: everyone sees the full answer (sponsors' standing is public);
# - an individual: the member themself, the board, the membership and election committees
#   see the full answer; representatives and admins of an organisation the individual
#   represents (or administers) see eligible, weight and class; everyone else sees
#   eligible, weight and class if the individual is listed in the public directory, and a
#   404 otherwise (no existence leak).

# Board and committees: who sees everyone's full answer.
FULL_VIEW_ROLES = (
    Role.DIRECTOR,
    Role.CHAIR,
    Role.SECRETARY,
    Role.TREASURER,
    Role.MEMBERSHIP_COMMITTEE,
    Role.ELECTION_COMMITTEE,
    Role.ELECTION_COMMITTEE_CHAIR,
)
LISTED_STATES = (MembershipState.ACTIVE, MembershipState.GRACE)


class Visibility(enum.Enum):
    NONE = "none"
    SUMMARY = "summary"  # eligible, weight, class
    FULL = "full"  # with standing and reasons


def can_view_all_voting_rights(user: Any, obj: Any = None) -> bool:
    """The board and the membership and election committees."""
    return acts_as(user, *FULL_VIEW_ROLES)


def is_listed_in_directory(membership: Membership) -> bool:
    """Mirrors the public directory: a live individual who opted in and gave a name."""
    user = membership.user if membership.user_id else None
    return bool(membership.in_directory and membership.state in LISTED_STATES and user and user.full_name)


def speaks_for_organisation_of(user: Any, person_id: int) -> bool:
    """``user`` is a representative, alternate or admin of an organisation ``person_id`` also is."""
    return (
        Organisation.objects.filter(
            Q(representative_id=person_id) | Q(alternate_id=person_id) | Q(admins__id=person_id)
        )
        .filter(Q(representative_id=user.pk) | Q(alternate_id=user.pk) | Q(admins__id=user.pk))
        .exists()
    )


def voting_rights_visibility(user: Any, membership: Membership) -> Visibility:
    if membership.organisation_id:
        return Visibility.FULL
    if is_authenticated(user) and membership.user_id == user.pk:
        return Visibility.FULL
    if can_view_all_voting_rights(user):
        return Visibility.FULL
    if is_authenticated(user) and membership.user_id and speaks_for_organisation_of(user, membership.user_id):
        return Visibility.SUMMARY
    if is_listed_in_directory(membership):
        return Visibility.SUMMARY
    return Visibility.NONE


def can_view_voting_rights(user: Any, membership: Membership) -> bool:
    return voting_rights_visibility(user, membership) is not Visibility.NONE


def can_view_voting_rights_reasons(user: Any, membership: Membership) -> bool:
    return voting_rights_visibility(user, membership) is Visibility.FULL
