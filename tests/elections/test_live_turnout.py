"""While voting is open, the public turnout is counted at most every ``TURNOUT_LIVE_SECONDS``
per election (the last evening's reloads would otherwise group the whole roll each time); a
cache that is down costs a recount, never the page."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from elections.rules import election_rules_for
from elections.selectors import election_turnout_public
from elections.services.ballots import ballot_cast
from tests.elections.conftest import entry_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting(elections):
    return elections.voting(candidates=["Ada", "Bob"], voters=3)


def _cast(election, user):
    ballot_cast(election=election, voter=user, roll_entry_id=entry_for(election, user).pk, ranks={})


def test_the_live_figures_are_counted_once_within_the_period(
    voting, client, settings, django_assert_num_queries
):
    settings.TURNOUT_LIVE_SECONDS = 30
    election, _, (first, second, _) = voting
    _cast(election, first)
    assert election_turnout_public(election=election)["voted_rows"] == 1
    _cast(election, second)
    rules = election_rules_for(rule_set=election.rule_set)
    with django_assert_num_queries(0):  # the figures come from the cache
        assert election_turnout_public(election=election, rules=rules)["voted_rows"] == 1
    cache.clear()  # the period is over
    assert election_turnout_public(election=election)["voted_rows"] == 2


def test_with_no_period_every_request_counts(voting, settings):
    settings.TURNOUT_LIVE_SECONDS = 0
    election, _, (first, second, _) = voting
    _cast(election, first)
    assert election_turnout_public(election=election)["voted_rows"] == 1
    _cast(election, second)
    assert election_turnout_public(election=election)["voted_rows"] == 2


class _DownCache:
    def get(self, *args, **kwargs):
        raise ConnectionError("redis is down")

    set = get


def test_a_cache_that_is_down_costs_a_count_not_the_page(voting, client, settings, monkeypatch, caplog):
    settings.TURNOUT_LIVE_SECONDS = 30
    election, _, (first, *_) = voting
    _cast(election, first)
    monkeypatch.setattr("elections.selectors.cache", _DownCache())
    assert election_turnout_public(election=election)["voted_rows"] == 1
    assert client.get(f"/elections/{election.slug}/").status_code == 200
    assert "cache unavailable" in caplog.text
