"""The membership transition service keeps the board in line with the bylaws."""

from __future__ import annotations

import pytest

from governance.models import HoldingEnd, Seat, SeatHolding
from governance.services.board import board_required_seats, seat_fill
from members.services.transitions import membership_end
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def test_admitting_a_platinum_member_creates_its_required_seats(clock):
    make_member(user=None, organisation=OrganisationFactory(), class_code="platinum")
    first = Seat.objects.count()
    assert first == board_required_seats() >= 2
    make_member(user=None, organisation=OrganisationFactory(), class_code="platinum")
    assert Seat.objects.count() == board_required_seats() == max(first, 4)


def test_a_director_loses_the_seat_when_their_organisation_leaves(clock):
    org = OrganisationFactory()
    membership = make_member(user=None, organisation=org, class_code="platinum")
    seat = Seat.objects.order_by("pk").first()
    holding = seat_fill(seat=seat, person=UserFactory(), employer=org, source="election", actor=None)
    assert holding.ends_at is None
    membership_end(membership=membership, actor=None, reason="left")
    holding.refresh_from_db()
    assert holding.ends_at is not None and holding.end_reason == HoldingEnd.ORGANISATION_LEFT
    assert not SeatHolding.objects.active().filter(seat=seat).exists()
