"""Issue 18, item 2: one director per company holds against spelling.

"ACME Inc." and "Acme" as separate member organisations were both seated; "Zeta Group, Inc."
sat beside "Zeta Group"; an Acme employee who left the employer blank was seated; an
organisation's admin could clear its group and seat a second director from it.
"""

from __future__ import annotations

import pytest

from core.errors import Conflict, ValidationFailed
from governance.models import SeatHolding
from governance.services.board import director_employer_declare, seat_fill
from members.services.groups import corporate_group_confirm, organisation_group_request
from tests.factories import CorporateGroupFactory, OrganisationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _member_org(name: str, group_name: str | None = None):
    """A member organisation in the unconfirmed group its typed value became (the migration's)."""
    return OrganisationFactory(
        legal_name=name, corporate_group=CorporateGroupFactory(name=group_name or name, confirmed=False)
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [("ACME Inc.", "Acme"), ("Zeta Group, Inc.", "Zeta Group"), ("Bluefin GmbH", "BLUEFIN")],
)
def test_two_spellings_of_one_company_do_not_both_sit(board, first, second):
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=_member_org(first))
    with pytest.raises(Conflict) as error:
        seat_fill(seat=seats[1], person=UserFactory(), employer=_member_org(second))
    assert error.value.code == "group_has_director"


def test_the_committee_may_confirm_two_look_alikes_as_different_companies(board):
    committee = RoleFactory(role="membership_committee").user
    a, b = _member_org("Apex Labs"), _member_org("APEX Labs Ltd")
    corporate_group_confirm(group=a.corporate_group, actor=committee)
    corporate_group_confirm(group=b.corporate_group, actor=committee, despite_lookalike=True)
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=a)
    seat_fill(seat=seats[1], person=UserFactory(), employer=b)
    assert SeatHolding.objects.active().count() == 2


def test_a_director_declaring_the_group_itself_counts_with_its_organisations(board):
    acme = _member_org("Acme")
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=acme)
    with pytest.raises(Conflict):
        seat_fill(seat=seats[1], person=UserFactory(), employer=acme.corporate_group)


def test_an_employer_left_blank_is_refused_independent_must_be_declared(board):
    seat = board.seats(1)[0]
    with pytest.raises(ValidationFailed) as error:
        seat_fill(seat=seat, person=UserFactory(), employer=None)
    assert error.value.code == "employer_required"
    with pytest.raises(ValidationFailed):
        seat_fill(seat=seat, person=UserFactory(), employer=_member_org("Acme"), independent=True)
    holding = seat_fill(seat=seat, person=UserFactory(), employer=None, independent=True)
    assert holding.independent and holding.employer_label == "Independent"


def test_an_admin_moving_the_organisation_out_of_its_group_does_not_free_a_seat(board):
    parent = CorporateGroupFactory(name="Umbrella Holdings")
    first, second = OrganisationFactory(corporate_group=parent), OrganisationFactory(corporate_group=parent)
    admin = UserFactory()
    second.admins.add(admin)
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=first)
    organisation_group_request(organisation=second, actor=admin, proposed_name="Totally Independent Ltd")
    with pytest.raises(Conflict) as error:
        seat_fill(seat=seats[1], person=UserFactory(), employer=second)
    assert error.value.code == "group_has_director"


def test_a_director_cannot_declare_an_employer_whose_group_is_full(board):
    acme = _member_org("Acme")
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=acme)
    other = seat_fill(seat=seats[1], person=UserFactory(), employer=None, independent=True)
    with pytest.raises(Conflict):
        director_employer_declare(holding=other, employer=_member_org("ACME Incorporated"))
    declared = director_employer_declare(holding=other, employer=_member_org("Globex"))
    assert declared.employer_name == "Globex" and not declared.independent


def test_the_public_board_shows_the_employer_or_independent(board, client):
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(full_name="Grace Hopper"), employer=_member_org("Acme"))
    seat_fill(seat=seats[1], person=UserFactory(full_name="Ada Lovelace"), employer=None, independent=True)
    page = client.get("/governance/board/").content.decode()
    assert "Acme" in page and "Independent" in page
