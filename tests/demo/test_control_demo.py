"""The demo's what-if: a draft rule set with a looser cap, under which a sponsor group with
fewer than half the seats can block a supermajority, and the page says so plainly."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from core.models import RuleSet, User
from core.rules import rules_in_force
from demo.control import DRAFT_CAP, seed_control
from demo.governance import seed_governance
from demo.members import seed_members, seed_people
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(clock):
    out = io.StringIO()
    seed_members(stdout=out, people=seed_people(stdout=out))
    seed_governance(stdout=out)
    seed_control(stdout=out)


def test_the_demo_drafts_a_rule_set_with_a_looser_cap(demo):
    draft = RuleSet.objects.get(effective_from__isnull=True)
    assert draft.board_max_per_group == DRAFT_CAP > rules_in_force().board_max_per_group


def test_the_demo_draft_is_seeded_once(demo):
    out = io.StringIO()
    seed_control(stdout=out)
    assert RuleSet.objects.filter(effective_from__isnull=True).count() == 1
    assert "skipped" in out.getvalue()


def test_the_what_if_says_a_sponsor_group_with_fewer_than_half_the_seats_can_block(demo):
    client = Client()
    sign_in(client, User.objects.get(email="secretary@demo.charter.invalid"))
    response = client.get("/manage/governance/control/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "with fewer than half the seats" in page
    assert "can block all decisions that need the supermajority on its own" in page
    assert "(draft)" in page


def test_the_public_control_page_renders_the_demo(demo):
    response = Client().get("/governance/control/")
    assert response.status_code == 200
    assert "No group can pass or block" in response.content.decode()
