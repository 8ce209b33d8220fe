"""Electoral weight on the control page: each group's share of a frozen roll, and the share
that guarantees a seat under the election's method."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from core import clock
from governance.control_elections import election_weights, seat_guarantee
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def _org(class_code: str, *, name: str, group: str = ""):
    # Without a group named, the organisation is a confirmed group of its own (the factory's default).
    extra = {"corporate_group": group} if group else {}
    org = OrganisationFactory(legal_name=name, representative=UserFactory(), **extra)
    org.created_at = clock.now() - dt.timedelta(days=300)
    org.save(update_fields=["created_at"])
    make_member(organisation=org, class_code=class_code, start=clock.now() - dt.timedelta(days=200))
    return org


def _frozen(elections, *, seats: int = 1, method: str = "meek"):
    election = elections.create(seats=seats, method=method)
    elections.open_nominations(election)
    elections.stand(election, name="Ada")
    elections.goto(election.record_date)
    election.refresh_from_db()
    assert election.roll_frozen_at is not None
    return election


# --- The guarantee, per method --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "seats", "marks", "share"),
    [
        ("meek", 1, None, Fraction(1, 2)),
        ("meek", 3, None, Fraction(1, 4)),
        ("scottish", 4, None, Fraction(1, 5)),
        ("wigm", 2, None, Fraction(1, 3)),
        ("irv", 1, None, Fraction(1, 2)),
        ("plurality", 3, None, Fraction(1, 4)),  # single mark: the Droop share
        ("approval", 3, None, Fraction(1, 2)),  # unlimited marks: a majority
        ("approval", 3, 1, Fraction(1, 4)),  # one mark: as plurality
        ("approval", 3, 2, Fraction(2, 5)),
        ("schulze", 3, None, Fraction(1, 2)),
    ],
)
def test_the_share_that_guarantees_a_seat(method, seats, marks, share):
    guarantee = seat_guarantee(method, seats, marks)
    assert guarantee is not None and guarantee.share == share
    assert guarantee.rule


def test_the_droop_rule_is_named_for_stv():
    assert "Droop" in seat_guarantee("meek", 2).rule
    assert "no Droop quota" in seat_guarantee("approval", 2).rule


def test_no_guarantee_without_seats_or_for_an_unknown_method():
    assert seat_guarantee("meek", 0) is None
    assert seat_guarantee("lottery", 2) is None


# --- Shares of a frozen roll -----------------------------------------------------------------------


def test_each_group_holds_its_organisations_weight_of_the_roll(elections):
    elections.seats(3)  # before the sponsor's membership creates seats of its own
    _org("platinum", name="Northwind Compute", group="Northwind Holdings")
    _org("ruby", name="Evergreen Data", group="northwind holdings ")
    _org("gold", name="Bluefin")
    election = _frozen(elections, seats=3)
    [weights] = election_weights()
    assert weights.roll.slug == election.slug and weights.roll.seats == 3
    groups = {g.weight.group.label: g for g in weights.groups}
    assert set(groups) == {"Northwind Holdings", "Bluefin"}
    northwind = groups["Northwind Holdings"]
    assert northwind.weight.weight == 55
    assert sorted(northwind.weight.organisations) == ["Evergreen Data", "Northwind Compute"]
    assert northwind.share == Fraction(55, election.roll_weight)
    assert weights.unattributed == election.roll_weight - 55 - 15
    assert weights.guarantee.share == Fraction(1, 4)


def test_a_group_above_the_droop_share_wins_a_seat_alone(elections):
    _org("platinum", name="Northwind Compute", group="Northwind Holdings")
    _org("gold", name="Bluefin")
    _frozen(elections, seats=1)  # individuals: the candidate and their nominator
    [weights] = election_weights()
    by_label = {g.weight.group.label: g for g in weights.groups}
    assert by_label["Northwind Holdings"].share > Fraction(1, 2)
    assert by_label["Northwind Holdings"].wins_alone
    assert not by_label["Bluefin"].wins_alone


def test_rolls_frozen_after_the_date_are_left_out(elections):
    _org("gold", name="Bluefin")
    election = _frozen(elections)
    assert election_weights(at=election.roll_frozen_at - dt.timedelta(seconds=1)) == []
    assert len(election_weights(at=election.roll_frozen_at)) == 1


def test_the_control_page_shows_the_electoral_weight(elections, client):
    elections.seats(2)
    _org("platinum", name="Northwind Compute", group="Northwind Holdings")
    election = _frozen(elections, seats=2)
    page = client.get("/governance/control/").content.decode()
    table = page.split(f'id="election-{election.slug}"', 1)[1].split("</table>", 1)[0]
    assert "Northwind Holdings" in table and "Droop" in table
    answer = client.get("/api/v1/control/").json()
    [item] = answer["elections"]
    assert item["seat_guarantee_exact"] == "1/3"
    assert item["groups"][0]["label"] == "Northwind Holdings"
    assert f"{item['groups'][0]['share'] * 100:.1f} %" in table


def _employee(group, *, public: bool):
    membership = make_member(start=clock.now() - dt.timedelta(days=200))
    membership.employer_group = group
    membership.employer_group_public = public
    membership.save(update_fields=["employer_group", "employer_group_public"])
    return membership


def test_individuals_count_for_their_group_only_when_public_and_enough_of_them(elections):
    from elections.rules import election_rules_for
    from tests.factories import group_named

    elections.seats(1)
    _org("gold", name="Bluefin", group="Bluefin Group")
    bluefin, other = group_named("Bluefin Group"), group_named("Orbit Labs")
    _employee(bluefin, public=True)
    _employee(bluefin, public=True)
    _employee(bluefin, public=False)  # private: never counted
    _employee(other, public=True)  # alone in its group: below any minimum above one
    election = _frozen(elections)
    minimum = election_rules_for(rule_set=election.rule_set).turnout_min_class_size
    assert minimum > 2  # the reference minimum (5) hides groups of two or one
    [weights] = election_weights()
    by_label = {g.weight.group.label: g.weight for g in weights.groups}
    assert by_label["Bluefin Group"].individuals == 0 and "Orbit Labs" not in by_label

    rules = election_rules_for(rule_set=election.rule_set)
    rules.turnout_min_class_size = 2
    rules.save(update_fields=["turnout_min_class_size"])
    [weights] = election_weights()
    by_label = {g.weight.group.label: g.weight for g in weights.groups}
    gold = by_label["Bluefin Group"]
    assert gold.individuals == 2  # the private one stays out
    assert "Orbit Labs" not in by_label  # one person is still below the minimum
