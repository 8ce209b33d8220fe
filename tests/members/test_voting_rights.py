"""voting_rights: every state, every class, any past moment; and its agreement with bulk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.rules import forget_cached_rule_sets, rules_in_force
from members.models import Membership, MembershipClass
from members.rights import voting_rights, voting_rights_bulk
from members.services.transitions import (
    membership_apply_schedule,
    membership_end,
    membership_reinstate,
    membership_renew,
    membership_suspend,
)
from members.standing import refresh_standings
from tests.factories import OrganisationFactory, UserFactory, make_member, register_decision

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _codes(rights) -> list[str]:
    return [r.code for r in rights.reasons]


@pytest.mark.parametrize("code", ["platinum", "gold", "ruby", "silver", "individual", "mirror"])
def test_weight_comes_from_the_class_in_the_rule_set(clock, code):
    klass = MembershipClass.objects.get(rule_set=rules_in_force(), code=code)
    if klass.for_individuals:
        member = make_member(class_code=code)
    else:
        member = make_member(user=None, organisation=OrganisationFactory(), class_code=code)
    rights = voting_rights(subject=member)
    assert rights.eligible and rights.weight == klass.vote_weight and rights.class_code == code


def test_a_changed_weight_in_the_data_changes_the_answer(clock):
    member = make_member(class_code="individual")
    MembershipClass.objects.filter(rule_set=rules_in_force(), code="individual").update(vote_weight=3)
    forget_cached_rule_sets()  # an adopted version is never changed in place by the app
    assert voting_rights(subject=member).weight == 3


def test_pending_membership_does_not_vote(clock):
    user = UserFactory()
    membership = Membership.objects.create(user=user, class_code="individual")
    from members.models import MembershipEvent

    MembershipEvent.objects.create(
        membership=membership, at=clock.now(), kind="approved", state="pending", class_code="individual"
    )
    refresh_standings([membership.pk])
    rights = voting_rights(subject=user)
    assert not rights.eligible and rights.weight == 0 and _codes(rights) == ["pending"]


def test_grace_period_removes_the_vote_with_the_unpaid_date(clock):
    member = make_member()
    clock.advance(days=366)
    rights = voting_rights(subject=member)
    assert rights.standing == "grace" and not rights.eligible
    assert _codes(rights) == ["dues_unpaid"]
    assert rights.reasons[0].since == member.expires_at
    assert member.expires_at.date().isoformat() in rights.reasons[0].message


def test_grace_may_vote_when_the_rule_set_says_so(clock):
    member = make_member()
    rules = rules_in_force()
    rules.grace_may_vote = True
    rules.save()
    clock.advance(days=366)
    rights = voting_rights(subject=member)
    assert rights.standing == "grace" and rights.eligible and rights.weight == 1


def test_lapse_after_grace_days_from_the_rule_set(clock):
    member = make_member()
    grace = rules_in_force().grace_days
    clock.set(member.expires_at + dt.timedelta(days=grace) - DAY)
    assert voting_rights(subject=member).standing == "grace"
    clock.set(member.expires_at + dt.timedelta(days=grace))
    rights = voting_rights(subject=member)
    assert rights.standing == "lapsed" and _codes(rights) == ["lapsed"]


def test_answers_do_not_depend_on_when_the_schedule_ran(clock):
    member = make_member()
    moment = member.expires_at + dt.timedelta(days=45)
    before = voting_rights(subject=member, at=moment)
    clock.set(moment)
    membership_apply_schedule()
    after = voting_rights(subject=member, at=moment)
    assert (before.standing, before.eligible, _codes(before)) == (
        after.standing,
        after.eligible,
        _codes(after),
    )


def test_suspension_names_the_decision_and_the_reason(clock):
    member = make_member()
    clock.advance(days=10)
    decision = register_decision()
    membership_suspend(
        membership=member,
        actor=None,
        reason="Abuse of the mirror network",
        notice_date=clock.now().date() - dt.timedelta(days=14),
        decision_number=decision.number,
    )
    rights = voting_rights(subject=member)
    assert not rights.eligible and _codes(rights) == ["suspended"]
    assert (
        decision.reference in rights.reasons[0].message
        and "Abuse of the mirror network" in rights.reasons[0].message
    )


def test_reinstated_member_votes_again(clock):
    member = make_member()
    membership_suspend(
        membership=member,
        actor=None,
        reason="x",
        notice_date=clock.now().date(),
        decision_number=register_decision().number,
    )
    membership_reinstate(membership=member, actor=None, decision_number=register_decision().number)
    assert voting_rights(subject=member).eligible


def test_ended_membership(clock):
    member = make_member()
    membership_end(membership=member, actor=None, reason="left")
    rights = voting_rights(subject=member)
    assert not rights.eligible and _codes(rights) == ["ended"]


def test_non_member_gets_a_reason_not_an_error(clock):
    rights = voting_rights(subject=UserFactory())
    assert not rights.eligible and _codes(rights) == ["not_a_member"]


def test_minimum_membership_days_from_the_rule_set(clock):
    rules = rules_in_force()
    rules.min_membership_days_before_record_date = 60
    rules.save()
    member = make_member()
    rights = voting_rights(subject=member, at=clock.now() + dt.timedelta(days=59))
    assert not rights.eligible and _codes(rights) == ["too_new"]
    assert voting_rights(subject=member, at=clock.now() + dt.timedelta(days=60)).eligible


def test_past_moments_are_answered_from_history(clock):
    member = make_member()
    start = clock.now()
    clock.advance(days=500)
    membership_apply_schedule()  # lapsed by now
    assert not voting_rights(subject=member).eligible
    assert voting_rights(subject=member, at=start + dt.timedelta(days=100)).eligible
    assert _codes(voting_rights(subject=member, at=start - DAY)) == ["not_a_member"]


def test_renewal_in_grace_extends_from_the_previous_expiry(clock):
    member = make_member()
    first_expiry = member.expires_at
    clock.set(first_expiry + dt.timedelta(days=5))
    membership_renew(membership=member)
    member.refresh_from_db()
    term = dt.timedelta(days=rules_in_force().membership_term_days)
    assert member.expires_at == first_expiry + term
    assert voting_rights(subject=member).eligible


def test_renewal_after_lapse_starts_a_new_term_now(clock):
    member = make_member()
    clock.set(member.expires_at + dt.timedelta(days=200))
    membership_apply_schedule()
    membership_renew(membership=member)
    member.refresh_from_db()
    term = dt.timedelta(days=rules_in_force().membership_term_days)
    assert member.expires_at == clock.now() + term and member.member_since == clock.now()


def test_organisation_rights_are_its_own(clock):
    org = OrganisationFactory()
    make_member(user=None, organisation=org, class_code="gold")
    assert voting_rights(subject=org).weight == 15
    assert _codes(voting_rights(subject=org.representative)) == ["not_a_member"]


def test_single_answer_runs_a_constant_number_of_queries(clock):
    short = make_member()
    long = make_member()
    for _ in range(40):
        clock.advance(days=1)
        membership_suspend(
            membership=long,
            actor=None,
            reason="x",
            notice_date=clock.now().date(),
            decision_number=register_decision().number,
        )
        membership_reinstate(membership=long, actor=None, decision_number=register_decision().number)
    voting_rights(subject=short)  # the first answer reads the rule set and its classes, then cached
    counts = []
    for m in (short, long):
        with CaptureQueriesContext(connection) as ctx:
            voting_rights(subject=m)
        counts.append(len(ctx.captured_queries))
    # One query: the membership joined to its latest snapshot, with the version in force.
    assert counts == [1, 1]
    # A moment before the latest event reads the history: one more query, still constant.
    with CaptureQueriesContext(connection) as ctx:
        voting_rights(subject=long, at=clock.now() - dt.timedelta(days=20))
    assert len(ctx.captured_queries) == 2


def test_bulk_runs_a_constant_number_of_queries(clock):
    for _ in range(5):
        make_member()
    voting_rights_bulk()  # reads the rule set and its classes once; cached from then on
    with CaptureQueriesContext(connection) as small:
        assert len(voting_rights_bulk()) == 5
    for _ in range(60):
        make_member()
    with CaptureQueriesContext(connection) as large:
        assert len(voting_rights_bulk()) == 65
    assert len(small.captured_queries) == len(large.captured_queries)
