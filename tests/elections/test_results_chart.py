"""The results page: the rounds chart titles its axes; turnout rows name the classes."""

from __future__ import annotations

import pytest

from elections.models import ElectionRules
from tests.elections.test_count_package import _vote

pytestmark = pytest.mark.django_db


def test_the_rounds_chart_has_axes_and_turnout_shows_class_names(elections, client):
    election, (a, b, c), voters = elections.voting(
        candidates=["A", "B", "C"], method="irv", seats=1, voters=6
    )
    for voter, picks in zip(voters, ([a], [a], [a], [b], [b], [c]), strict=True):
        _vote(election, voter, picks)
    election = elections.close(election)
    ElectionRules.objects.filter(rule_set=election.rule_set).update(ballot_publication="always")
    page = client.get(f"/elections/{election.slug}/results/").content.decode()
    assert "Votes (weighted) →" in page and "Round ↓" in page
    assert set(election.turnout["by_class"]) == {"individual"}  # six individual members voted
    assert '<th scope="row">Individual</th>' in page and '<th scope="row">individual</th>' not in page
