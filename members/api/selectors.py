"""Reads behind the members API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from members.models import Membership, Organisation
from members.permissions import LISTED_STATES, can_view_voting_rights


def _no_such_member() -> NotFound:
    # One message whether the number is unknown or hidden: existence never leaks.
    return NotFound(_("No member with this number is visible to you."), code="member_not_found")


def access_membership_for_rights(*, user: Any, number: str, organisation: bool) -> Membership:
    """The membership whose voting rights ``user`` asked for, if they may see it."""
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(number=number, organisation__isnull=not organisation)
        .first()
    )
    if membership is None or not can_view_voting_rights(user, membership):
        raise _no_such_member()
    return membership


def memberships_spoken_for(*, user: Any) -> list[Membership]:
    """Memberships of the organisations ``user`` represents, deputises for or administers."""
    organisations = Organisation.objects.filter(
        Q(representative_id=user.pk) | Q(alternate_id=user.pk) | Q(admins__id=user.pk)
    ).values("id")
    return list(
        Membership.objects.filter(organisation_id__in=organisations)
        .select_related("organisation")
        .order_by("number")
    )


def directory_organisations() -> QuerySet[Membership]:
    """Live member organisations listed in the public directory."""
    return Membership.objects.filter(
        organisation__isnull=False, organisation__in_directory=True, state__in=LISTED_STATES
    ).select_related("organisation")
