"""Who sees which voting-rights answer (the table in the README's API section).

- organisations: everyone sees the full answer (sponsors' standing is public);
- an individual: the member themself, the board, the membership and election
  committees see the full answer; representatives and admins of an organisation the
  individual represents (or administers) see eligible, weight and class; everyone
  else sees eligible, weight and class if the individual is listed in the public
  directory, and a 404 otherwise (no existence leak).
"""

from __future__ import annotations

import enum
from typing import Any

from django.db.models import Q

from core.access import has_role
from core.models import Role
from members.models import Membership, MembershipState, Organisation

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


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_view_all_voting_rights(user: Any) -> bool:
    """The board and the membership and election committees."""
    return has_role(user, *FULL_VIEW_ROLES) or bool(getattr(user, "is_superuser", False))


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
    if _authenticated(user) and membership.user_id == user.pk:
        return Visibility.FULL
    if can_view_all_voting_rights(user):
        return Visibility.FULL
    if _authenticated(user) and membership.user_id and speaks_for_organisation_of(user, membership.user_id):
        return Visibility.SUMMARY
    if is_listed_in_directory(membership):
        return Visibility.SUMMARY
    return Visibility.NONE


def can_view_voting_rights(user: Any, membership: Membership) -> bool:
    return voting_rights_visibility(user, membership) is not Visibility.NONE


def can_view_voting_rights_reasons(user: Any, membership: Membership) -> bool:
    return voting_rights_visibility(user, membership) is Visibility.FULL
