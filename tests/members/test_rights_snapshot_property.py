"""Property: the fast answer (materialised snapshot, cached rule set) always equals the one
computed from the history (``decide`` on the latest event at or before the moment, with the
rule set in force then read afresh), across rule-set versions taking effect on their dates.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import clock as core_clock
from core.models import RuleSet
from core.rules import forget_cached_rule_sets, rules_in_force
from members.models import Membership, MembershipClass
from members.rights import _latest_snapshots, decide, voting_rights
from tests.members.histories import START, history_steps, play, start_memberships

pytestmark = pytest.mark.django_db


def _add_version(number: int, effective_days: int, grace: int, min_days: int, weight_bump: int) -> None:
    """A new adopted version from ``effective_days`` after START, with other numbers and weights."""
    base = RuleSet.objects.get(version=1)
    classes = list(MembershipClass.objects.filter(rule_set=base))
    base.pk = None
    base.version = number
    base.effective_from = START + dt.timedelta(days=effective_days)
    base.grace_days = grace
    base.min_membership_days_before_record_date = min_days
    base.grace_may_vote = bool(weight_bump % 2)
    base.save()
    for klass in classes:
        klass.pk = None
        klass.rule_set = base
        klass.vote_weight = klass.vote_weight + weight_bump if klass.vote_weight else 0
        klass.save()


def _computed(membership: Membership, at: dt.datetime) -> dict:
    """The answer from the history and the rule set read afresh (no snapshot, no cache)."""
    rules = rules_in_force(at=at)
    classes = {c.code: c for c in MembershipClass.objects.filter(rule_set=rules)}
    snapshot = next(_latest_snapshots(at, Membership.objects.filter(pk=membership.pk)), None)
    return decide(
        snapshot=snapshot,
        rules=rules,
        classes=classes,
        at=at,
        subject_type="organisation" if membership.organisation_id else "individual",
        name=membership.subject_name,
        number=membership.number,
    ).as_dict()


versions = st.lists(
    st.tuples(
        st.integers(min_value=-20, max_value=900),  # effective, days after START
        st.sampled_from([0, 7, 30, 90]),  # grace days
        st.sampled_from([0, 30, 120]),  # minimum membership days
        st.integers(min_value=0, max_value=3),  # weight bump (odd: grace may vote)
    ),
    max_size=3,
)
history = history_steps(max_days=900, max_size=14)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    subjects=st.lists(st.booleans(), min_size=1, max_size=3),
    new_versions=versions,
    steps=history,
    probes=st.lists(st.integers(min_value=-40, max_value=1500), min_size=1, max_size=6),
    probe_hours=st.integers(min_value=0, max_value=23),
)
def test_fast_answer_equals_the_computed_one(subjects, new_versions, steps, probes, probe_hours):
    with transaction.atomic():
        forget_cached_rule_sets()  # ids are reused after each example's rollback
        for i, (effective, grace, min_days, bump) in enumerate(sorted(new_versions), start=2):
            _add_version(i, effective, grace, min_days, bump)
        memberships = start_memberships(subjects)
        play(steps, memberships)
        last_step = core_clock.now()
        for offset in probes:
            at = START + dt.timedelta(days=offset, hours=probe_hours)
            for m in memberships:
                expected = _computed(m, at)
                # ``?at=``: the snapshot when ``at`` is at or after the latest event, else history.
                assert voting_rights(subject=m, at=at).as_dict() == expected
                if at >= last_step:  # "now" (no ``at``) once the clock has reached that moment
                    core_clock.freeze(at)
                    assert voting_rights(subject=m).as_dict() == expected
                    core_clock.freeze(last_step)
        core_clock.reset()
        transaction.set_rollback(True)
