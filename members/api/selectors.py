"""Reads behind the members API."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound, ValidationFailed
from members.api.permissions import LISTED_STATES, can_view_voting_rights
from members.models import Membership, Organisation
from members.rights import Reason, VotingRights, voting_rights


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


def access_frozen_roll(*, election_id: str) -> Any:
    """The election whose frozen roll ``?election=`` asks about."""
    from elections.models import Election

    election = Election.objects.filter(slug=election_id).first()
    if election is None:
        raise NotFound(_("No election with that id."), code="election_not_found")
    if election.roll_frozen_at is None:
        raise ValidationFailed(
            _("The roll of this election is not frozen yet: ask with “at” instead."), code="roll_not_frozen"
        )
    return election


def voting_rights_on_roll(*, membership: Membership, election: Any) -> VotingRights:
    """Rights as frozen on ``election``'s roll: the roll row's weight (corrections included),
    with the standing and reasons the rules gave at the record date.
    """
    from elections.models import RollEntry

    at_record = voting_rights(subject=membership, at=election.record_date)
    entry = RollEntry.objects.filter(election=election, member_number=membership.number).first()
    if entry is not None:
        same_class = entry.class_code == at_record.class_code
        return replace(
            at_record,
            eligible=True,
            weight=entry.weight,
            class_code=entry.class_code,
            class_name=at_record.class_name if same_class else entry.class_code,
            reasons=[],
        )
    reasons = at_record.reasons or [Reason("not_on_roll", _("Not on this election's frozen roll."))]
    return replace(at_record, eligible=False, weight=0, reasons=reasons)
