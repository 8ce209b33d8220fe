"""The public search: minutes, decisions, policies and elections, with escaped snippets."""

from __future__ import annotations

import pytest

from governance.search import MAX_QUERY_LENGTH, snippet
from governance.services.decisions import policy_create, policy_version_propose
from governance.services.meetings import minutes_draft, minutes_publish
from tests.elections.conftest import Elections

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(board, clock):
    """Published minutes about a datacentre, draft minutes about a secret merger, a decision
    and an adopted policy about travel, a proposed (not adopted) policy text about yachts."""
    board.directors(3)
    published = minutes_draft(
        meeting=board.meeting(title="January meeting"),
        body_md="The board discussed the new **datacentre** in Frankfurt.",
        actor=board.secretary(),
    )
    clock.advance(days=30)
    board.decide(meeting=board.meeting(title="February meeting"), approves_minutes=published)
    minutes_publish(minutes=published, actor=board.secretary())
    minutes_draft(
        meeting=board.meeting(title="Closed session"),
        body_md="Draft: a secret merger with Initech.",
        actor=board.secretary(),
    )
    board.decide(title="Travel reimbursement", text="Economy class for trips under six hours.")
    policy = policy_create(slug="travel", title="Travel policy", actor=board.secretary())
    board.decide(
        adopts_policy_version=policy_version_propose(
            policy=policy, body_md="Book economy.", actor=board.secretary()
        )
    )
    policy_version_propose(policy=policy, body_md="Book economy, or a yacht.", actor=board.secretary())
    return published


def search(client, q, **params):
    return client.get("/governance/search/", {"q": q, **params})


def test_published_minutes_are_found_with_a_highlighted_snippet(record, client):
    response = search(client, "datacentre")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"/governance/minutes/{record.number}/" in page
    assert "<mark>datacentre</mark>" in page


def test_draft_minutes_are_never_found(record, client):
    page = search(client, "merger").content.decode()
    assert "Initech" not in page
    assert "Nothing published matches" in page


def test_a_proposed_policy_text_is_not_found_but_the_one_in_force_is(record, client):
    assert "/governance/policies/travel/" not in search(client, "yacht").content.decode()
    assert "/governance/policies/travel/" in search(client, "economy").content.decode()


def test_decisions_and_policies_are_found_and_filtered_by_kind(record, client):
    page = search(client, "economy", kind="decisions").content.decode()
    assert "Travel reimbursement" in page and "/governance/policies/travel/" not in page


def test_every_word_must_match(record, client):
    assert "/governance/minutes/" in search(client, "datacentre frankfurt").content.decode()
    assert "Nothing published matches" in search(client, "datacentre berlin").content.decode()


def test_elections_are_found_once_out_of_draft(board, client):
    builder = Elections()
    shown = builder.open_nominations(builder.create(title="Board election of 2026", slug="shown-one"))
    draft = builder.create(title="Secret draft election", slug="draft-one")
    assert draft.state == "draft"
    page = search(client, "election").content.decode()
    assert f"/elections/{shown.slug}/" in page and f"/elections/{draft.slug}/" not in page


def test_html_in_content_cannot_inject(board, client):
    board.directors(1)
    board.decide(
        title="Odd <script>alert(1)</script> title", text='<img src=x onerror="alert(2)"> script here'
    )
    page = search(client, "script").content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;<mark>script</mark>&gt;" in page


def test_the_snippet_escapes_and_marks():
    text = "A <b>bold</b> move & more " + "filler " * 60 + "the target word at the end"
    out = snippet(text, ["target"])
    assert "<mark>target</mark>" in out and "<b>" not in out
    assert out.startswith("… ")
    assert snippet("<i>x</i> & y", ["x"]) == "&lt;i&gt;<mark>x</mark>&lt;/i&gt; &amp; y"


def test_a_query_too_long_is_refused_with_a_message(client, db):
    response = search(client, "x" * (MAX_QUERY_LENGTH + 1))
    assert response.status_code == 400
    assert "at most" in response.content.decode()


def test_empty_and_too_short_queries_show_an_empty_state(client, db):
    assert "Search the published minutes" in search(client, "").content.decode()
    assert "at least two letters" in search(client, "a").content.decode()


def test_results_are_paginated(board, client):
    board.directors(1)
    for i in range(25):
        board.decide(title=f"Budget line {i}", text="Approved.")
    first = search(client, "budget").content.decode()
    second = client.get("/governance/search/", {"q": "budget", "page": 2}).content.decode()
    assert "25 results" in first
    assert first.count('class="card"') == 20 and second.count('class="card"') == 5


def test_the_transparency_pages_carry_the_search_box(client, db):
    assert 'action="/governance/search/"' in client.get("/governance/").content.decode()
