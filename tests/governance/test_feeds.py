"""The Atom feeds carry a decision's text as text: a feed reader never renders markup from it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from governance.services.meetings import minutes_draft, minutes_publish

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'Resolved: <script>alert("x")</script> and <b>bold</b> & more.'


def _summaries(client, url: str) -> list[tuple[str | None, str]]:
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    return [(s.get("type"), s.text or "") for s in root.iter(f"{ATOM}summary")]


def test_the_decisions_feed_escapes_the_text_it_declares_as_html(client, board):
    board.directors(3)
    board.decide(text=HOSTILE)
    [(kind, summary)] = _summaries(client, "/governance/decisions/feed/")
    # The reader parses the summary as HTML: it must hold the text escaped, not tags.
    assert kind == "html"
    assert "<script" not in summary and "<b>" not in summary
    assert "&lt;script&gt;" in summary and "&lt;b&gt;bold&lt;/b&gt;" in summary
    assert "&amp; more." in summary


def test_the_minutes_feed_escapes_its_summary(client, board, clock):
    board.directors(3)
    meeting = board.meeting(title="A <b>meeting</b>")
    minutes = minutes_draft(meeting=meeting, body_md="Text", actor=board.secretary())
    clock.advance(days=30)
    board.decide(meeting=board.meeting(title="Next"), approves_minutes=minutes)
    minutes_publish(minutes=minutes, actor=board.secretary())
    [(kind, summary)] = _summaries(client, "/governance/minutes/feed/")
    assert kind == "html" and "<b>" not in summary and summary.startswith("<p>Minutes of the meeting of")
