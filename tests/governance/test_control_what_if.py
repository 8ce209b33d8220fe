"""What if: a pending change's effect on every group's power, previewed without writing anything."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from core.errors import ValidationFailed
from core.models import RuleSet
from core.rules import rules_in_force
from governance.control import SUPERMAJORITY
from governance.control_groups import organisation_group
from governance.services.rules import rule_set_draft, rule_set_update
from governance.what_if import Scenario, what_if
from members.models import MembershipClass
from tests.auth import sign_in
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db

URL = "/manage/governance/control/"


def platinum() -> MembershipClass:
    return rules_in_force().membership_classes.filter(board_seats_per_member__gt=0).first()


@pytest.fixture
def secretary(board) -> Any:
    return board.secretary()


@pytest.fixture
def draft(secretary) -> RuleSet:
    """The next version, drafted through the service, with up to three directors per group."""
    version = rule_set_draft(actor=secretary)
    return rule_set_update(actor=secretary, rule_set=version, board_max_per_group=3)


@pytest.fixture
def sponsor(clock) -> Any:
    org = OrganisationFactory(legal_name="Northwind Compute", corporate_group="Northwind Holdings")
    make_member(organisation=org, class_code=platinum().code)
    return org


def test_a_draft_with_a_looser_cap_lets_a_sponsor_group_block_the_supermajority(board, draft, sponsor):
    board.directors(8)
    group = organisation_group(sponsor)
    result = what_if(scenario=Scenario(rule_set=draft, group=group, group_seats=3))
    after = result.after.group(group.key)
    assert after.seats == 3 and after.seat_share < 0.5
    assert after.standings[SUPERMAJORITY].can_block
    assert result.before.group(group.key) is None
    assert (
        "Northwind Holdings could block all decisions that need the supermajority on its own."
        in result.changes
    )
    assert any("with fewer than half the seats" in line for line in result.after.findings)
    assert "at most 3 of the 8" in " ".join(result.after.cap)


def test_the_group_cannot_get_more_seats_than_the_rule_set_allows(board, sponsor):
    board.directors(8)
    with pytest.raises(ValidationFailed) as exc:
        what_if(
            scenario=Scenario(rule_set=rules_in_force(), group=organisation_group(sponsor), group_seats=2)
        )
    assert exc.value.code == "over_group_cap"


def test_a_bigger_board_is_filled_by_independents(board, draft):
    board.directors(7)
    result = what_if(scenario=Scenario(rule_set=draft, board_size=9))
    assert (result.before.in_office, result.after.in_office) == (7, 9)
    assert {t.key: t.quota for t in result.after.thresholds}[SUPERMAJORITY] == 6


def test_a_smaller_board_abolishes_vacancies_first(board, draft):
    board.seats(9)
    board.directors(7)
    result = what_if(scenario=Scenario(rule_set=draft, board_size=8))
    assert (result.after.seats, result.after.in_office) == (8, 7)


def test_a_board_size_outside_the_rule_set_is_refused(board, draft):
    board.directors(7)
    with pytest.raises(ValidationFailed) as exc:
        what_if(scenario=Scenario(rule_set=draft, board_size=draft.board_max_size + 1))
    assert exc.value.code == "board_size"


def test_a_new_platinum_member_gets_its_seats_up_to_the_cap(board, draft):
    board.directors(8)
    klass = MembershipClass.objects.get(rule_set=draft, code=platinum().code)
    result = what_if(scenario=Scenario(rule_set=draft, sponsor_class=klass))
    newcomer = result.after.group("group:(new sponsor)")
    assert newcomer.seats == klass.board_seats_per_member
    assert result.after.in_office == 8  # the board already has the seats the bylaws require


def test_under_the_reference_cap_a_new_platinum_member_gets_one_seat(board):
    board.directors(8)
    result = what_if(scenario=Scenario(rule_set=rules_in_force(), sponsor_class=platinum()))
    assert result.after.group("group:(new sponsor)").seats == 1


def _snapshot() -> dict[str, list[Any]]:
    """Every row of every table (sessions aside: they belong to the visitor, not the foundation)."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_models()
        if model._meta.label != "sessions.Session"
    }


def test_the_preview_changes_no_row(board, draft, sponsor, secretary):
    board.directors(8)
    client = Client()
    sign_in(client, secretary)
    before = _snapshot()
    group = organisation_group(sponsor)
    response = client.get(
        URL,
        {
            "rule_set": draft.version,
            "group": group.key,
            "group_seats": 3,
            "board_size": 9,
            "sponsor_class": platinum().code,
        },
    )
    assert response.status_code == 200, response.content[:500]
    assert _snapshot() == before


def test_the_page_says_plainly_that_the_sponsor_group_could_block(board, draft, sponsor, secretary):
    board.directors(8)
    client = Client()
    sign_in(client, secretary)
    page = client.get(URL).content.decode()  # opened without a question: the draft, the sponsor at its cap
    assert f'value="{draft.version}" selected' in page
    assert (
        "Northwind Holdings, with fewer than half the seats (3 of 8 seats, 37.5 %), can block all decisions that need the supermajority on its own"
        in page
    )


def test_a_bad_scenario_is_a_form_error(board, draft, sponsor, secretary):
    board.directors(8)
    client = Client()
    sign_in(client, secretary)
    response = client.get(
        URL, {"rule_set": draft.version, "group": organisation_group(sponsor).key, "group_seats": 4}
    )
    assert response.status_code == 400
    assert "at most 3 director(s) per group" in response.content.decode()


@pytest.mark.parametrize(
    "params", [{"rule_set": "abc"}, {"rule_set": "999"}, {"board_size": "-1"}, {"group": "nope"}]
)
def test_malformed_input_is_a_400_not_a_500(board, secretary, params):
    board.directors(3)
    client = Client()
    sign_in(client, secretary)
    assert client.get(URL, params).status_code == 400


def test_a_director_without_the_role_may_not_preview(board, clock):
    director = board.directors(3)[0]
    client = Client()
    sign_in(client, director)
    assert client.get(URL).status_code == 403


def test_the_control_page_offers_the_preview_only_to_board_managers(board, secretary):
    board.directors(3)
    manager, member = Client(), Client()
    sign_in(manager, secretary)
    sign_in(member, UserFactory())
    assert URL in manager.get("/governance/control/").content.decode()
    assert URL not in member.get("/governance/control/").content.decode()


def test_an_adopted_version_can_be_previewed_too(board, clock):
    board.directors(5)
    current = rules_in_force()  # the version in force itself: nothing changes
    result = what_if(scenario=Scenario(rule_set=current))
    assert result.changes == [] and result.assumptions == []


def test_a_draft_requiring_more_seats_per_sponsor_grows_the_board(board, draft, sponsor):
    board.directors(4)
    MembershipClass.objects.filter(rule_set=draft, code=platinum().code).update(board_seats_per_member=6)
    result = what_if(scenario=Scenario(rule_set=draft))
    assert (result.before.seats, result.after.seats, result.after.in_office) == (4, 6, 6)
    assert any("requires 6 seats for the sitting sponsors" in line for line in result.assumptions)
