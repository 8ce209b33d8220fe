"""Reads behind the members API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from members.models import Membership, Organisation
from members.permissions import LISTED_STATES, can_view_voting_rights
from members.rights import prepared_for_rights, rights_memberships
from members.rights_loader import membership_for_rights


def _no_such_member() -> NotFound:
    # One message whether the number is unknown or hidden: existence never leaks.
    return NotFound(_("No member with this number is visible to you."), code="member_not_found")


def _base(at: dt.datetime | None) -> QuerySet[Membership]:
    # With a moment: loaded with the snapshot and the rule set's id, so the answer for that
    # moment costs no further query (``members.rights.rights_memberships``).
    if at is None:
        return Membership.objects.select_related("user", "organisation")
    return rights_memberships(at)


def _prepared(memberships: Any, at: dt.datetime | None) -> list[Membership]:
    return [prepared_for_rights(m, at) if at is not None else m for m in memberships]


def access_membership_for_rights(
    *, user: Any, number: str, organisation: bool, at: dt.datetime | None = None
) -> Membership:
    """The membership whose voting rights ``user`` asked for, if they may see it.

    With ``at``, ready for ``voting_rights(subject=..., at=at)`` in this one query.
    """
    if at is None:
        membership = _base(at).filter(number=number, organisation__isnull=not organisation).first()
    else:  # the hot path: one precompiled statement (members.rights_loader)
        membership = membership_for_rights(number=number, organisation=organisation, at=at)
    if membership is None or not can_view_voting_rights(user, membership):
        raise _no_such_member()
    return _prepared([membership], at)[0]


def own_membership(*, user: Any, at: dt.datetime | None = None) -> Membership | None:
    """``user``'s own membership, if any (ready for ``voting_rights`` at ``at``)."""
    found = _base(at).filter(user_id=user.pk).first()
    return _prepared([found], at)[0] if found is not None else None


def memberships_spoken_for(*, user: Any, at: dt.datetime | None = None) -> list[Membership]:
    """Memberships of the organisations ``user`` represents, deputises for or administers."""
    organisations = Organisation.objects.filter(
        Q(representative_id=user.pk) | Q(alternate_id=user.pk) | Q(admins__id=user.pk)
    ).values("id")
    return _prepared(_base(at).filter(organisation_id__in=organisations).order_by("number"), at)


def directory_organisations() -> QuerySet[Membership]:
    """Live member organisations listed in the public directory."""
    return Membership.objects.filter(
        organisation__isnull=False, organisation__in_directory=True, state__in=LISTED_STATES
    ).select_related("organisation")
