"""The public transparency section: pages open without login, and their query counts stay flat."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock as core_clock
from core.models import RuleSet
from core.rules import rules_in_force
from governance.models import (
    ChangeRecord,
    Decision,
    Meeting,
    Minutes,
    MinutesVersion,
    SeatHolding,
    Vote,
)
from governance.services.committees import conflict_declaration_file
from governance.services.decisions import policy_create, policy_version_propose
from governance.services.meetings import minutes_draft
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def grow_archive(total: int, directors: list) -> None:
    """Bring the archive to ``total`` meetings, each with published minutes and a decision."""
    rules = rules_in_force()
    caller = directors[0]
    start = Meeting.objects.count()
    base = core_clock.now() - dt.timedelta(days=total + 1)
    meetings = Meeting.objects.bulk_create(
        Meeting(
            kind="regular",
            title=f"Meeting {i}",
            scheduled_at=base + dt.timedelta(days=i),
            status="held",
            called_by=caller,
            rule_set=rules,
        )
        for i in range(start, total)
    )
    minutes = Minutes.objects.bulk_create(
        Minutes(
            number=i + 1,
            meeting=m,
            status="published",
            draft_md="Text",
            published_at=m.scheduled_at,
            current_version=1,
            search_text=f"{m.title} mirror budget",
        )
        for i, m in zip(range(start, total), meetings, strict=True)
    )
    MinutesVersion.objects.bulk_create(
        MinutesVersion(
            minutes=m,
            version=1,
            body_md="Text",
            body_html="<p>Text</p>",
            published_at=m.published_at,
            published_by=caller,
            audit_head_hash="0" * 64,
        )
        for m in minutes
    )
    decisions = Decision.objects.bulk_create(
        Decision(
            number=i + 1,
            title=f"Resolution {i}",
            text="Resolved on the mirror budget.",
            meeting=m,
            rule_set=rules,
            decided_at=m.scheduled_at,
            required_rule="Ordinary majority",
            in_office=len(directors),
            present=len(directors),
            quorum_required=2,
            quorum_present=True,
            yes=len(directors),
            required_yes=2,
            outcome="adopted",
            search_text=f"Resolution {i} mirror budget",
        )
        for i, m in zip(range(start, total), meetings, strict=True)
    )
    Vote.objects.bulk_create(Vote(decision=d, director=p, choice="yes") for d in decisions for p in directors)
    ChangeRecord.objects.bulk_create(
        ChangeRecord(item_type="decision", item_label=str(d.number), summary="Recorded") for d in decisions
    )


PAGES = [
    "/governance/",
    "/governance/board/",
    "/governance/board/history/",
    "/governance/committees/",
    "/governance/minutes/",
    "/governance/minutes/?q=mirror&year=2026",
    "/governance/decisions/",
    "/governance/decisions/?q=budget&kind=ordinary&outcome=adopted",
    "/governance/decisions/feed/",
    "/governance/minutes/feed/",
    "/governance/changes/",
    "/governance/rules/",
    "/governance/statistics/",
    "/governance/policies/",
]


@pytest.fixture
def archive(board):
    directors = board.directors(4)
    grow_archive(10, directors)
    return directors


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_open_without_login(client, archive, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_keep_a_constant_number_of_queries(client, archive, url):
    client.get(url)  # warm per-process caches (the current Site, translations)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow_archive(1000, archive)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_detail_pages_keep_a_constant_number_of_queries(client, archive):
    client.get("/governance/decisions/1/")
    with CaptureQueriesContext(connection) as small:
        client.get("/governance/decisions/1/")
        client.get("/governance/minutes/1/")
    grow_archive(1000, archive)
    with CaptureQueriesContext(connection) as large:
        client.get("/governance/decisions/1/")
        client.get("/governance/minutes/1/")
    assert len(large) == len(small)


def test_the_register_filters_by_director(client, archive):
    other = UserFactory(full_name="Outsider")
    SeatHolding.objects.filter(person=archive[0]).update()
    url = f"/governance/decisions/?director={archive[0].public_id}"
    assert "Resolution 3" in client.get(url).content.decode()
    assert (
        "Resolution 3"
        not in client.get(f"/governance/decisions/?director={other.public_id}").content.decode()
    )


def test_the_register_refuses_a_malformed_director(client, archive):
    response = client.get("/governance/decisions/?director=not-a-uuid")
    assert response.status_code == 400
    assert "Resolution 3" in response.content.decode()  # the list, without that filter


def test_the_register_searches(client, archive):
    body = client.get("/governance/decisions/?q=Resolution").content.decode()
    assert "Resolution 1" in body
    assert (
        "Resolution" not in client.get("/governance/decisions/?q=zebra").content.decode().split("<tbody>")[1]
    )


def test_the_decision_page_shows_the_roll_call(client, archive):
    body = client.get("/governance/decisions/1/").content.decode()
    assert "Roll call" in body and str(archive[0]) in body


def test_unpublished_minutes_are_not_public(client, board):
    board.directors(1)
    minutes = minutes_draft(meeting=board.meeting(), body_md="secret draft", actor=board.secretary())
    assert client.get(f"/governance/minutes/{minutes.number}/").status_code == 404


def test_policy_diff_marks_insertions_and_deletions(client, board):
    board.directors(3)
    policy = policy_create(slug="coi", title="Conflict of interest", actor=board.secretary())
    v1 = policy_version_propose(policy=policy, body_md="Line one\nOld line\n", actor=board.secretary())
    board.decide(adopts_policy_version=v1)
    v2 = policy_version_propose(
        policy=policy, body_md="Line one\nNew line\n", change_note="Clarified", actor=board.secretary()
    )
    board.decide(adopts_policy_version=v2)
    body = client.get("/governance/policies/coi/diff/1/2/").content.decode()
    assert "<del>" in body and "Old line" in body
    assert "<ins>" in body and "New line" in body
    assert client.get("/governance/policies/coi/").status_code == 200
    assert client.get("/governance/policies/coi/v1/").status_code == 200


def test_the_rules_page_lists_every_version_with_its_classes(client, db):
    RuleSet.objects.create(
        version=2, name="Amended bylaws", effective_from=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )
    body = client.get("/governance/rules/").content.decode()
    assert "Amended bylaws" in body and 'id="v1"' in body and 'id="v2"' in body
    assert "maximum directors per organisation or corporate group" in body


def test_the_board_page_lists_a_missing_conflict_declaration(client, board):
    directors = board.directors(2)
    conflict_declaration_file(person=directors[0], interests="None")
    body = client.get("/governance/board/").content.decode()
    assert "declarations missing" in body and str(directors[1]) in body.split("declarations missing")[1]
    assert str(directors[0]) not in body.split("declarations missing")[1].split("</p>")[0]


def test_the_board_page_has_an_svg_chart_with_a_table(client, board):
    board.directors(2)
    page = client.get("/governance/board/").content.decode()
    body = page[page.index("<main") : page.index("</main>")]
    assert "<svg" in body and "<table" in body
    assert "style=" not in body and "<script" not in body


@pytest.mark.postgres
def test_postgres_full_text_search_matches_word_forms(client, archive):
    body = client.get("/governance/decisions/?q=budgets").content.decode()
    assert "Resolution 1" in body


def test_chart_coordinates_keep_a_decimal_point_in_every_language(client, board):
    """Spanish formats 90.5 as 90,5; inside SVG attributes that would break the chart."""
    import re

    board.directors(3)
    client.cookies["charter_language"] = "es"
    page = client.get("/governance/board/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert not re.search(r'(x|y|width|height)="[0-9]+,[0-9]', svg)
