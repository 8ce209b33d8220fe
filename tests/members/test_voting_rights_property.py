"""Property: voting_rights_bulk agrees with voting_rights on random membership histories."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import clock as core_clock
from core.rules import rules_in_force
from members.models import Membership
from members.rights import voting_rights, voting_rights_bulk
from members.services.transitions import (
    membership_start_term,
)
from tests.factories import OrganisationFactory, UserFactory
from tests.members.histories import OPS as HISTORY_OPS
from tests.members.histories import apply_op

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# The steps of a history, without class changes (every rule set here has the same classes).
OPS = [op for op in HISTORY_OPS if op != "class"]


history = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3), st.sampled_from(OPS), st.integers(min_value=0, max_value=400)
    ),
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    classes=st.lists(st.sampled_from(["individual", "mirror", "gold", "silver"]), min_size=1, max_size=4),
    steps=history,
    probes=st.lists(st.integers(min_value=-30, max_value=1200), min_size=1, max_size=6),
    grace_may_vote=st.booleans(),
    min_days=st.sampled_from([0, 30, 90]),
)
def test_bulk_and_single_answers_agree(classes, steps, probes, grace_may_vote, min_days):
    with transaction.atomic():
        rules = rules_in_force(at=START)
        rules.grace_may_vote = grace_may_vote
        rules.min_membership_days_before_record_date = min_days
        rules.save()
        core_clock.freeze(START)
        memberships = []
        for code in classes:
            if code in ("gold", "silver"):
                m = Membership.objects.create(organisation=OrganisationFactory(), class_code=code)
            else:
                m = Membership.objects.create(user=UserFactory(verified=False), class_code=code)
            memberships.append(membership_start_term(membership=m, at=START))
        for who, op, days_later in sorted(steps, key=lambda s: s[2]):
            core_clock.freeze(START + dt.timedelta(days=days_later))
            apply_op(op, memberships[who % len(memberships)])
        for offset in probes:
            at = START + dt.timedelta(days=offset, hours=7)
            bulk = {r.subject: r for r in voting_rights_bulk(at=at)}
            for m in memberships:
                single = voting_rights(subject=m, at=at)
                if single.standing == "none":
                    assert m.number not in bulk
                    continue
                other = bulk[m.number]
                assert (other.eligible, other.weight, other.standing, other.class_code) == (
                    single.eligible,
                    single.weight,
                    single.standing,
                    single.class_code,
                )
                assert [r.code for r in other.reasons] == [r.code for r in single.reasons]
        core_clock.reset()
        transaction.set_rollback(True)
