"""Property: the set-based freeze writes exactly the eligible lines of
``voting_rights_bulk(at=record_date)`` (number, type, class, weight), whatever the histories,
the rule set's numbers, and however late the freeze runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import clock as core_clock
from core.rules import forget_cached_rule_sets, rules_in_force
from elections.models import Election, ElectionState, RollEntry
from elections.services.roll import roll_freeze
from members.rights import voting_rights_bulk
from tests.members.histories import START, history_steps, play, start_memberships

pytestmark = pytest.mark.django_db


def _election(record: dt.datetime) -> Election:
    return Election.objects.create(
        slug="prop",
        title="Property",
        rule_set=rules_in_force(at=record),
        method="meek",
        state=ElectionState.NOMINATIONS_CLOSED,
        record_date=record,
        provisional_roll_at=record - dt.timedelta(days=14),
        nominations_open_at=record - dt.timedelta(days=40),
        nominations_close_at=record - dt.timedelta(days=5),
        voting_opens_at=record + dt.timedelta(days=1),
        voting_closes_at=record + dt.timedelta(days=15),
        original_voting_closes_at=record + dt.timedelta(days=15),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    subjects=st.lists(st.booleans(), min_size=1, max_size=4),
    steps=history_steps(max_days=700, max_size=12),
    record_day=st.one_of(st.integers(min_value=1, max_value=80), st.integers(min_value=1, max_value=600)),
    late_days=st.integers(min_value=0, max_value=120),
    grace_days=st.sampled_from([0, 10, 30]),
    grace_may_vote=st.booleans(),
    min_days=st.sampled_from([0, 45]),
)
def test_frozen_roll_equals_the_rights_at_the_record_date(
    subjects, steps, record_day, late_days, grace_days, grace_may_vote, min_days
):
    with transaction.atomic():
        forget_cached_rule_sets()
        rules = rules_in_force(at=START)
        rules.grace_days = grace_days
        rules.grace_may_vote = grace_may_vote
        rules.min_membership_days_before_record_date = min_days
        rules.save()
        memberships = start_memberships(subjects)
        record = START + dt.timedelta(days=record_day, hours=5)
        election = _election(record)
        freeze_at = record + dt.timedelta(days=late_days)
        play(steps, memberships, until=freeze_at)
        core_clock.freeze(freeze_at)
        expected = {
            (r.subject, r.subject_type, r.class_code, r.weight)
            for r in voting_rights_bulk(at=record)
            if r.eligible
        }
        election = roll_freeze(election=election)
        rows = set(
            RollEntry.objects.filter(election=election).values_list(
                "member_number", "subject_type", "class_code", "weight"
            )
        )
        assert rows == expected
        assert election.roll_rows == len(expected)
        core_clock.reset()
        transaction.set_rollback(True)
