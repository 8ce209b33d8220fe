"""The lifecycle runs on schedule, reads its numbers from the rule set, and is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry, RuleSet
from core.rules import rules_in_force
from elections.models import ElectionRules, ElectionState
from elections.rules import election_rules_in_force
from elections.services.lifecycle import election_cancel, election_open_voting, election_run_schedule
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def test_reference_election_rules_exist_for_the_shipped_rule_set(clock):
    rules = election_rules_in_force()
    assert (rules.nominations_open_days, rules.nominations_close_days, rules.min_voting_days) == (45, 10, 14)
    assert (rules.quorum_members_percent, rules.quorum_weight_percent) == (10, 10)
    assert (rules.extension_days, rules.max_extensions, rules.nominee_standing_days) == (7, 2, 60)
    assert rules.rule_set == rules_in_force()


def test_election_records_the_rule_set_in_force_and_derives_windows_from_it(elections):
    ElectionRules.objects.filter(rule_set=rules_in_force()).update(nominations_open_days=30)
    election = elections.create()
    assert election.rule_set == rules_in_force()
    assert election.voting_opens_at - election.nominations_open_at == dt.timedelta(days=30)
    assert election.voting_opens_at - election.nominations_close_at == dt.timedelta(days=10)


def test_a_new_rule_set_version_without_election_rules_gets_the_reference_values(clock, db):
    current = rules_in_force()
    newer = RuleSet.objects.create(version=current.version + 1, name="v2", effective_from=clock.now())
    assert election_rules_in_force().rule_set == newer
    assert election_rules_in_force().min_voting_days == 14


def test_voting_shorter_than_the_rule_set_minimum_is_refused(elections, clock):
    opens = clock.now() + dt.timedelta(days=50)
    with pytest.raises(ValidationFailed) as exc:
        elections.create(voting_opens_at=opens, voting_closes_at=opens + dt.timedelta(days=13))
    assert exc.value.code == "voting_too_short"


def test_irv_for_several_seats_is_refused(elections):
    with pytest.raises(ValidationFailed) as exc:
        elections.create(method="irv", seats=2)
    assert exc.value.code == "irv_one_seat"


def test_schedule_opens_and_closes_nominations_on_time(elections, clock):
    election = elections.create()
    elections.goto(election.nominations_open_at - dt.timedelta(minutes=1))
    election.refresh_from_db()
    assert election.state == ElectionState.DRAFT
    election = elections.open_nominations(election)
    assert election.state == ElectionState.NOMINATIONS_OPEN
    elections.stand(election, name="Ada")
    elections.goto(election.nominations_close_at)
    election.refresh_from_db()
    assert election.state == ElectionState.NOMINATIONS_CLOSED
    assert len(election.tie_seed) == 32


def test_schedule_freezes_the_roll_at_the_record_date_and_opens_voting(elections):
    election = elections.create()
    elections.open_nominations(election)
    elections.stand(election, name="Ada")
    elections.goto(election.record_date)
    election.refresh_from_db()
    assert election.roll_frozen_at is not None and election.state == ElectionState.NOMINATIONS_CLOSED
    election = elections.open_voting(election)
    assert election.state == ElectionState.VOTING


def test_running_the_schedule_twice_does_nothing_more(elections):
    election = elections.create()
    elections.open_nominations(election)
    elections.stand(election, name="Ada")
    elections.goto(election.voting_opens_at)
    assert election_run_schedule() == []


def test_voting_cannot_open_early(elections, clock):
    election = elections.create()
    elections.open_nominations(election)
    elections.stand(election, name="Ada")
    elections.goto(election.record_date)
    with pytest.raises(Conflict) as exc:
        election_open_voting(election=election)
    assert exc.value.code == "too_early"


def test_no_candidate_cancels_the_election_with_a_public_reason(elections):
    election = elections.create()
    elections.open_nominations(election)
    elections.goto(election.nominations_close_at)
    election.refresh_from_db()
    assert election.state == ElectionState.CANCELLED
    assert "No nominee accepted" in election.cancel_reason


def test_cancel_needs_a_reason_and_is_audited(elections):
    election = elections.create()
    committee = RoleFactory(role="election_committee").user
    with pytest.raises(ValidationFailed):
        election_cancel(election=election, reason=" ", actor=committee)
    election_cancel(election=election, reason="The bylaws changed.", actor=committee)
    election.refresh_from_db()
    assert election.state == ElectionState.CANCELLED
    assert AuditEntry.objects.filter(action="election.cancelled").count() == 1


@pytest.mark.parametrize("role", [None, "election_observer"])
def test_only_the_committee_cancels_an_election(elections, role):
    election = elections.create()
    person = RoleFactory(role=role).user if role else elections.member()
    with pytest.raises(NotAllowed) as exc:
        election_cancel(election=election, reason="The bylaws changed.", actor=person)
    assert exc.value.code == "not_committee"
    election.refresh_from_db()
    assert election.state == ElectionState.DRAFT


def test_only_the_committee_schedules_an_election(elections):
    member = elections.member()
    with pytest.raises(NotAllowed) as exc:
        elections.create(slug="not-allowed", actor=member)
    assert exc.value.code == "not_committee"
    committee = RoleFactory(role="election_committee").user
    assert elections.create(slug="allowed", actor=committee).slug == "allowed"
