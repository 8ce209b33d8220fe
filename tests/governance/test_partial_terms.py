"""Issue 18, item 3: a vacancy filled for part of a term counts as a full term only if the
bylaws say so (rule set: ``board_partial_term_counts_above_percent``; reference: more than half)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict
from core.models import RuleSet
from core.rules import rules_in_force
from governance.models import HoldingSource, SeatHolding
from governance.services.composition import check_term_limit, consecutive_terms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST = (dt.date(2018, 1, 1), dt.date(2022, 1, 1))
SECOND = (dt.date(2022, 1, 1), dt.date(2026, 1, 1))
AT = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)  # the next term starts


def _held(person, seat, term, *, share: float) -> None:
    """``person`` held ``seat`` for the last ``share`` of ``term`` (appointed to a vacancy)."""
    length = term[1] - term[0]
    start = term[1] - dt.timedelta(days=round(length.days * share))
    SeatHolding.objects.create(
        seat=seat,
        person=person,
        independent=True,
        source=HoldingSource.APPOINTMENT if share < 1 else HoldingSource.ELECTION,
        term_start=term[0],
        term_end=term[1],
        starts_at=dt.datetime.combine(start, dt.time(12), tzinfo=dt.UTC),
        ends_at=dt.datetime.combine(term[1], dt.time(0), tzinfo=dt.UTC),
        end_reason="term_ended",
    )


@pytest.fixture
def veteran(board):
    return UserFactory(full_name="Vera Vacancy"), board.seats(1)[0]


def _rule(percent: int) -> RuleSet:
    RuleSet.objects.filter(pk=rules_in_force().pk).update(board_partial_term_counts_above_percent=percent)
    return rules_in_force()


def test_less_than_half_a_term_does_not_count_under_the_reference_rule(clock, veteran):
    person, seat = veteran
    _held(person, seat, FIRST, share=0.4)
    _held(person, seat, SECOND, share=1)
    rules = rules_in_force()
    assert rules.board_partial_term_counts_above_percent == 50
    assert consecutive_terms(person=person, at=AT, rules=rules) == [SECOND]
    check_term_limit(person=person, at=AT, rules=rules)  # a second full term is still allowed


def test_more_than_half_a_term_counts_as_a_full_term(clock, veteran):
    person, seat = veteran
    _held(person, seat, FIRST, share=0.6)
    _held(person, seat, SECOND, share=1)
    with pytest.raises(Conflict) as error:
        check_term_limit(person=person, at=AT, rules=rules_in_force())
    assert error.value.code == "term_limit"


@pytest.mark.parametrize(("percent", "counted"), [(0, 2), (50, 1), (100, 1)])
def test_the_rule_set_says_how_much_of_a_term_counts(clock, veteran, percent, counted):
    person, seat = veteran
    _held(person, seat, FIRST, share=0.3)
    _held(person, seat, SECOND, share=1)
    assert len(consecutive_terms(person=person, at=AT, rules=_rule(percent))) == counted
