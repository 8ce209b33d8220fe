"""Dates on pages follow the reader's language, inside <time> with the ISO date for machines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from core.templatetags.dates import day, moment
from tests.governance.conftest import Board

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Nov. 30, 2026"), ("es", "30 de noviembre de 2026"), ("ja", "2026年11月30日")],
)
def test_a_day_is_written_as_the_language_writes_it(language, text):
    with translation.override(language):
        html = day(dt.date(2026, 11, 30))
        from_moment = day(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC))
    assert html == f'<time class="date" datetime="2026-11-30">{text}</time>'
    assert from_moment == html


def test_a_moment_carries_its_time_and_zone():
    with translation.override("en"):
        html = moment(dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC))
    assert html.startswith('<time class="date" datetime="2026-11-30T14:05+00:00">Nov. 30, 2026, 2:05')
    assert html.endswith(" UTC</time>")


def test_nothing_gives_nothing():
    assert day(None) == "" and moment(None) == "" and day("") == ""


def test_the_decisions_register_writes_dates_in_spanish(client, clock):
    """A page, end to end: the Spanish date in the register, ISO only in the attribute."""
    board = Board()
    board.directors(3)
    decision = board.decide(title="Adopt the budget")
    client.cookies["charter_language"] = "es"
    html = client.get("/governance/decisions/").content.decode()
    with translation.override("es"):
        expected = day(decision.decided_at)
    assert "de 2026" in expected and expected in html
