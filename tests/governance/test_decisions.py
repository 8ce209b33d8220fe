"""Decisions: roll calls, quorum and majorities from the rule set, written consent."""

from __future__ import annotations

import pytest

from core.errors import Conflict, ValidationFailed
from core.models import OutgoingEmail, RuleSet
from core.rules import rules_in_force
from governance.models import DecisionKind, Outcome, VoteChoice
from governance.services.decisions import decision_record, policy_create, policy_version_propose
from governance.services.meetings import attendance_record
from governance.voting import threshold
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Y, N, A, R = VoteChoice.YES, VoteChoice.NO, VoteChoice.ABSTAIN, VoteChoice.RECUSED


def test_threshold_more_than_half():
    assert [threshold(n, 1, 2, strict=True) for n in (0, 1, 7, 8)] == [1, 1, 4, 5]


def test_threshold_at_least_two_thirds():
    assert [threshold(n, 2, 3, strict=False) for n in (3, 8, 9, 13)] == [2, 6, 6, 9]


def test_ordinary_majority_counts_votes_cast_not_abstentions(board):
    d = board.directors(5)
    decision = board.decide(votes={d[0]: Y, d[1]: Y, d[2]: N, d[3]: A, d[4]: A})
    assert decision.outcome == Outcome.ADOPTED
    assert decision.required_yes == 2


def test_a_tie_is_rejected(board):
    d = board.directors(4)
    decision = board.decide(votes={d[0]: Y, d[1]: Y, d[2]: N, d[3]: N})
    assert decision.outcome == Outcome.REJECTED


def test_supermajority_needs_two_thirds_of_directors_in_office(board):
    d = board.directors(8)
    votes = dict.fromkeys(d[:5], Y) | dict.fromkeys(d[5:], A)
    decision = board.decide(kind=DecisionKind.BYLAWS_AMENDMENT, votes=votes)
    assert decision.needs_supermajority
    assert decision.required_yes == 6
    assert decision.outcome == Outcome.REJECTED


def test_supermajority_reached_with_six_of_eight(board):
    d = board.directors(8)
    votes = dict.fromkeys(d[:6], Y) | dict.fromkeys(d[6:], N)
    decision = board.decide(kind=DecisionKind.DIRECTOR_REMOVAL, votes=votes)
    assert decision.outcome == Outcome.ADOPTED


def test_supermajority_types_come_from_the_rule_set(board):
    rules = rules_in_force()
    rules.supermajority_decision_types = []
    rules.save()
    d = board.directors(3)
    decision = board.decide(kind=DecisionKind.BYLAWS_AMENDMENT, votes={d[0]: Y, d[1]: N, d[2]: Y})
    assert not decision.needs_supermajority


def test_without_quorum_nothing_is_decided(board):
    d = board.directors(8)
    meeting = board.meeting(present=d[:4])
    decision = board.decide(meeting=meeting, votes=dict.fromkeys(d[:4], Y))
    assert not decision.quorum_present
    assert decision.outcome == Outcome.NO_QUORUM
    assert decision.absent == 4


def test_recused_directors_count_toward_quorum(board):
    d = board.directors(8)
    meeting = board.meeting(present=d[:5])
    decision = board.decide(meeting=meeting, votes={d[0]: R, d[1]: Y, d[2]: Y, d[3]: Y, d[4]: N})
    assert decision.quorum_present
    assert decision.recused == 1
    assert decision.outcome == Outcome.ADOPTED


def test_recused_directors_may_be_excluded_from_quorum_by_the_rules(board):
    rules = rules_in_force()
    rules.recused_count_for_quorum = False
    rules.save()
    d = board.directors(8)
    meeting = board.meeting(present=d[:5])
    decision = board.decide(meeting=meeting, votes={d[0]: R, d[1]: Y, d[2]: Y, d[3]: Y, d[4]: N})
    assert decision.outcome == Outcome.NO_QUORUM


def test_a_recusal_needs_a_conflict_note(board):
    d = board.directors(3)
    with pytest.raises(ValidationFailed) as exc:
        decision_record(
            meeting=board.meeting(),
            title="T",
            text="X",
            votes=[(d[0], R, ""), (d[1], Y, ""), (d[2], Y, "")],
            actor=board.secretary(),
        )
    assert exc.value.code == "recusal_needs_note"


def test_an_absent_director_cannot_vote(board):
    d = board.directors(3)
    meeting = board.meeting(present=d[:2])
    with pytest.raises(ValidationFailed) as exc:
        board.decide(meeting=meeting, votes=dict.fromkeys(d, Y))
    assert exc.value.code == "absent_voted"


def test_a_present_director_must_have_a_vote(board):
    d = board.directors(3)
    with pytest.raises(ValidationFailed) as exc:
        board.decide(votes={d[0]: Y, d[1]: Y})
    assert exc.value.code == "roll_call_incomplete"


def test_only_directors_vote(board):
    d = board.directors(2)
    with pytest.raises(ValidationFailed) as exc:
        board.decide(votes={d[0]: Y, d[1]: Y, UserFactory(): Y})
    assert exc.value.code == "not_a_director"


def test_decisions_are_numbered_in_sequence(board):
    board.directors(3)
    first, second = board.decide(), board.decide()
    assert second.number == first.number + 1


def test_a_decision_records_the_rule_set_version_in_force(board):
    board.directors(3)
    decision = board.decide()
    assert decision.rule_set == rules_in_force()
    assert "1/2" in decision.required_rule


def test_a_decision_adopts_a_policy_version(board):
    board.directors(3)
    policy = policy_create(slug="coi", title="Conflict of interest policy", actor=board.secretary())
    version = policy_version_propose(policy=policy, body_md="Declare.", actor=board.secretary())
    decision = board.decide(adopts_policy_version=version)
    version.refresh_from_db()
    policy.refresh_from_db()
    assert version.adopted_by == decision
    assert policy.current_version == 1


def test_a_rejected_decision_adopts_nothing(board):
    d = board.directors(3)
    policy = policy_create(slug="coi", title="COI", actor=board.secretary())
    version = policy_version_propose(policy=policy, body_md="Declare.", actor=board.secretary())
    board.decide(adopts_policy_version=version, votes=dict.fromkeys(d, N))
    version.refresh_from_db()
    assert version.adopted_at is None


def test_a_decision_adopts_a_rule_set_version(board):
    board.directors(3)
    current = rules_in_force()
    new = RuleSet.objects.create(
        version=2, name="Amended", effective_from=current.effective_from.replace(year=2030)
    )
    decision = board.decide(kind=DecisionKind.RULE_SET_CHANGE, adopts_rule_set=new)
    new.refresh_from_db()
    assert decision.reference in new.adopted_by


def test_attendance_cannot_change_after_decisions(board):
    d = board.directors(3)
    meeting = board.meeting()
    board.decide(meeting=meeting)
    with pytest.raises(Conflict) as exc:
        attendance_record(
            meeting=meeting, entries=[(p, "present", "") for p in d[:1]], actor=board.secretary()
        )
    assert exc.value.code == "decisions_recorded"


def test_calling_a_meeting_emails_the_directors(board):
    d = board.directors(3)
    meeting = board.meeting(title="Budget meeting")
    sent = OutgoingEmail.objects.filter(purpose="governance.meeting_called", subject_ref=meeting.audit_ref)
    assert sorted(sent.values_list("to", flat=True)) == sorted(p.email for p in d)
    assert "Budget meeting" in sent.first().subject
