"""The set-based freeze: equal to ``voting_rights_bulk(at=record_date)`` even when it runs late,
and a number of SQL statements that does not grow with the roll."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from core.models import RuleSet
from core.rules import rules_in_force
from elections.models import RollEntry
from elections.services.roll import published_roll_lines, roll_fingerprint, roll_freeze
from members.models import MembershipClass
from members.rights import voting_rights_bulk
from members.services.transitions import (
    membership_apply_schedule,
    membership_end,
    membership_renew,
    membership_suspend,
    membership_transition,
)
from tests.factories import OrganisationFactory, UserFactory, make_member, register_decision

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _rows(election) -> set[tuple[str, str, str, int]]:
    return set(
        RollEntry.objects.filter(election=election).values_list(
            "member_number", "subject_type", "class_code", "weight"
        )
    )


def _rights_at_record_date(election) -> set[tuple[str, str, str, int]]:
    return {
        (r.subject, r.subject_type, r.class_code, r.weight)
        for r in voting_rights_bulk(at=election.record_date)
        if r.eligible
    }


def _varied_members(record_date: dt.datetime) -> dict[str, object]:
    """Members whose rights at ``record_date`` differ: grace, too new, lapsing, organisations."""
    start = record_date - dt.timedelta(days=200)
    people = {
        "long": make_member(start=start),
        "grace": make_member(start=record_date - dt.timedelta(days=370)),  # expired 5 days before
        "lapsed": make_member(start=record_date - dt.timedelta(days=420)),  # past grace (30 days)
        "new": make_member(start=record_date - dt.timedelta(days=10)),
        "mirror": make_member(class_code="mirror", start=start),
        "gold": make_member(organisation=OrganisationFactory(), class_code="gold", start=start),
        "silver": make_member(organisation=OrganisationFactory(), class_code="silver", start=start),
    }
    return people


def test_a_late_freeze_equals_the_rights_at_the_record_date(elections):
    rules = rules_in_force()
    rules.min_membership_days_before_record_date = 30
    rules.save()
    election = elections.create()
    people = _varied_members(election.record_date)
    expected = _rights_at_record_date(election)
    assert len(expected) >= 4  # the case is not trivial: some on, some off
    # The freeze runs three weeks late; meanwhile the memberships change.
    clock.freeze(election.record_date + dt.timedelta(days=21))
    membership_apply_schedule()
    membership_end(membership=people["long"], actor=None)
    membership_renew(membership=people["grace"])
    membership_transition(
        membership=people["mirror"], to_state="active", kind="class_changed", class_code="individual"
    )
    membership_suspend(
        membership=people["gold"],
        actor=None,
        reason="late",
        notice_date=clock.today(),
        decision_number=register_decision().number,
    )
    make_member(start=clock.now() - dt.timedelta(days=1))  # joined after the record date
    assert _rights_at_record_date(election) == expected  # the history is unchanged
    election = roll_freeze(election=election)
    assert _rows(election) == expected
    gold = RollEntry.objects.get(election=election, member_number=people["gold"].number)
    assert gold.struck and gold.struck_reason == "suspended"  # suspended now: struck, as before
    assert election.roll_rows == len(expected)
    assert election.roll_weight == sum(weight for *_rest, weight in expected)
    assert election.roll_fingerprint == roll_fingerprint(published_roll_lines(election=election))


def test_grace_voting_corrections_and_a_newer_rule_set_follow_the_rules(elections):
    rules = rules_in_force()
    rules.grace_may_vote = True
    rules.save()
    election = elections.create()
    people = _varied_members(election.record_date)
    # A version with other weights takes effect after the record date: the roll ignores it.
    newer = RuleSet.objects.get(pk=rules.pk)
    classes = list(MembershipClass.objects.filter(rule_set=rules))
    newer.pk, newer.version = None, 99
    newer.effective_from = election.record_date + DAY
    newer.save()
    for klass in classes:
        klass.pk, klass.rule_set, klass.vote_weight = None, newer, klass.vote_weight * 7
        klass.save()
    from core.models import Role
    from elections.services.roll import roll_correct
    from tests.factories import RoleFactory

    committee = RoleFactory(role=Role.ELECTION_COMMITTEE).user
    roll_correct(
        election=election, membership=people["lapsed"], action="include", reason="paid", actor=committee
    )
    roll_correct(
        election=election, membership=people["silver"], action="exclude", reason="no", actor=committee
    )
    roll_correct(
        election=election, membership=people["long"], action="include", reason="w", weight=4, actor=committee
    )
    clock.freeze(election.record_date + 3 * DAY)
    election = roll_freeze(election=election)
    rows = {number: weight for number, _t, _c, weight in _rows(election)}
    assert rows[people["grace"].number] == 1  # in grace, and grace may vote
    assert rows[people["lapsed"].number] == 1  # included by the committee, at its class weight
    assert rows[people["long"].number] == 4  # included with the weight the committee gave
    assert people["silver"].number not in rows
    assert rows[people["gold"].number] == 15  # the version in force at the record date


def test_statements_do_not_grow_with_the_roll(elections):
    counts = []
    for size in (3, 40):
        election = elections.create()
        for _ in range(size):
            make_member(user=UserFactory(), start=election.record_date - dt.timedelta(days=100))
        make_member(
            organisation=OrganisationFactory(),
            class_code="gold",
            start=election.record_date - dt.timedelta(days=100),
        )
        clock.freeze(election.record_date + DAY)
        with CaptureQueriesContext(connection) as ctx:
            election = roll_freeze(election=election)
        assert election.roll_rows >= size
        counts.append(len(ctx.captured_queries))
        clock.freeze(election.record_date - dt.timedelta(days=60))
    assert counts[0] == counts[1]
