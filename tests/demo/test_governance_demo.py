from __future__ import annotations

import io

import pytest

from core.access import has_role
from core.models import RoleAssignment, User
from demo.governance import seed_governance
from elections.permissions import can_certify_election as can_certify_elections
from governance.models import Decision, Minutes, Policy, SeatHolding, Vote
from members.permissions import can_review_applications

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_board_a_year_of_meetings_and_a_policy(clock):
    seed_governance(stdout=io.StringIO())
    assert SeatHolding.objects.active().count() == 8
    assert sorted(set(SeatHolding.objects.values_list("seat__cohort__code", flat=True))) == [
        "A",
        "B",
        "C",
        "D",
    ]
    assert Minutes.objects.filter(status="published").count() == 11
    assert Vote.objects.filter(choice="recused").exists()
    assert Decision.objects.filter(needs_supermajority=True, outcome="adopted").exists()
    assert Policy.objects.get(slug="conflict-of-interest").current_version == 2


def test_the_demo_users_hold_their_roles(clock):
    seed_governance(stdout=io.StringIO())
    secretary = User.objects.get(email="secretary@demo.charter.invalid")
    assert has_role(secretary, "secretary") and has_role(secretary, "director")
    assert can_review_applications(User.objects.get(email="committee@demo.charter.invalid"))
    assert can_certify_elections(User.objects.get(email="election-chair@demo.charter.invalid"))


def test_the_demo_is_idempotent(clock):
    seed_governance(stdout=io.StringIO())
    counts = (SeatHolding.objects.count(), Decision.objects.count(), RoleAssignment.objects.count())
    out = io.StringIO()
    seed_governance(stdout=out)
    assert (SeatHolding.objects.count(), Decision.objects.count(), RoleAssignment.objects.count()) == counts
    assert "skipped" in out.getvalue()


def test_every_public_page_renders_the_demo(client, clock):
    from tests.governance.test_public_pages import PAGES

    seed_governance(stdout=io.StringIO())
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    for number in Decision.objects.values_list("number", flat=True):
        assert client.get(f"/governance/decisions/{number}/").status_code == 200
    for number in Minutes.objects.filter(status="published").values_list("number", flat=True):
        assert client.get(f"/governance/minutes/{number}/").status_code == 200
    assert client.get("/governance/policies/conflict-of-interest/diff/1/2/").status_code == 200


def test_the_demo_completes_the_members_demo(clock, settings):
    import demo.members as members_demo

    people = members_demo.seed_people(stdout=io.StringIO())
    members_demo.seed_members(stdout=io.StringIO(), people=people)
    seed_governance(stdout=io.StringIO())
    assert SeatHolding.objects.active().count() == 8
    secretary = User.objects.get(email="secretary@demo.charter.invalid")
    assert SeatHolding.objects.active().filter(person=secretary).exists()
    assert RoleAssignment.objects.active().filter(role="chair").count() == 1


def test_the_demo_board_misses_one_conflict_declaration(clock):
    from governance.selectors import board_today

    seed_governance(stdout=io.StringIO())
    assert len(board_today().missing_declarations) == 1


def test_the_demo_has_a_corrected_minutes_with_its_reason(clock):
    from governance.models import MinutesVersion

    seed_governance(stdout=io.StringIO())
    assert MinutesVersion.objects.filter(version=2, reason="Opening time was missing").exists()
