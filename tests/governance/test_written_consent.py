"""Written consents: the secretary proposes, each director confirms their own vote before the
deadline, and the votes are tallied by governance.voting at the deadline (or once all voted)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.audit import SYSTEM_ACTOR
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry, OutboxMessage
from governance.models import (
    ConsentStatus,
    ConsentVote,
    Decision,
    MeetingKind,
    Outcome,
    Vote,
    VoteChoice,
    WrittenConsent,
)
from governance.services.consents import (
    consents_awaiting,
    written_consent_propose,
    written_consent_tally,
    written_consent_vote,
    written_consents_tally_due,
)
from governance.services.decisions import decision_record
from governance.tasks import tally_written_consents
from tests.auth import sign_in
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def propose(board, clock, *, days: int = 7, title: str = "Adopt the travel policy") -> WrittenConsent:
    return written_consent_propose(
        title=title,
        text="The board adopts the travel policy.",
        deadline=clock.now() + dt.timedelta(days=days),
        actor=board.secretary(),
    )


def test_only_the_secretary_proposes(board, clock):
    d = board.directors(3)
    with pytest.raises(NotAllowed):
        written_consent_propose(title="T", text="X", deadline=clock.now() + dt.timedelta(days=1), actor=d[0])


def test_a_deadline_in_the_past_is_refused(board, clock):
    board.directors(3)
    with pytest.raises(ValidationFailed) as exc:
        propose(board, clock, days=-1)
    assert exc.value.code == "deadline_past"


def test_proposing_emails_each_director_and_opens_a_written_consent_meeting(board, clock):
    from core.models import OutgoingEmail

    d = board.directors(3)
    consent = propose(board, clock)
    assert consent.meeting.kind == MeetingKind.WRITTEN_CONSENT
    assert set(
        OutgoingEmail.objects.filter(purpose="governance.written_consent").values_list("to", flat=True)
    ) == {p.email for p in d}
    assert AuditEntry.objects.filter(action="written_consent.proposed").count() == 1


def test_a_director_votes_once_and_cannot_vote_again(board, clock):
    d = board.directors(3)
    consent = propose(board, clock)
    written_consent_vote(consent=consent, choice="yes", actor=d[0])
    with pytest.raises(Conflict) as exc:
        written_consent_vote(consent=consent, choice="no", actor=d[0])
    assert exc.value.code == "already_voted"
    assert list(ConsentVote.objects.filter(consent=consent).values_list("choice", flat=True)) == ["yes"]


def test_a_non_director_is_refused(board, clock):
    board.directors(3)
    consent = propose(board, clock)
    for outsider in (UserFactory(), board.secretary(), RoleFactory(role="treasurer").user):
        with pytest.raises(NotAllowed):
            written_consent_vote(consent=consent, choice="yes", actor=outsider)
    assert not ConsentVote.objects.exists()


def test_no_vote_after_the_deadline(board, clock):
    d = board.directors(3)
    consent = propose(board, clock, days=2)
    clock.advance(days=2)
    with pytest.raises(Conflict) as exc:
        written_consent_vote(consent=consent, choice="yes", actor=d[0])
    assert exc.value.code == "consent_closed"


def test_the_secretary_cannot_record_the_votes_alone(board, clock):
    d = board.directors(3)
    consent = propose(board, clock)
    with pytest.raises(ValidationFailed) as exc:
        decision_record(
            meeting=consent.meeting,
            title="T",
            text="X",
            votes=[(p, VoteChoice.YES, "") for p in d],
            actor=board.secretary(),
        )
    assert exc.value.code == "written_consent_by_directors"


def test_nothing_is_tallied_before_the_deadline_while_a_director_is_silent(board, clock):
    d = board.directors(3)
    consent = propose(board, clock)
    written_consent_vote(consent=consent, choice="yes", actor=d[0])
    assert written_consent_tally(consent_id=consent.pk) is None
    assert written_consents_tally_due() == []
    assert not Decision.objects.exists()


def test_at_the_deadline_silent_directors_count_as_not_voting(board, clock):
    d = board.directors(5)
    consent = propose(board, clock, days=3)
    written_consent_vote(consent=consent, choice="yes", actor=d[0])
    written_consent_vote(consent=consent, choice="yes", actor=d[1])
    written_consent_vote(consent=consent, choice="abstain", actor=d[2])
    deadline = clock.advance(days=3)
    tally_written_consents.apply()  # the scheduled job, as beat runs it
    consent.refresh_from_db()
    decision = consent.decision
    assert consent.status == ConsentStatus.DECIDED
    assert (decision.yes, decision.no, decision.abstain, decision.absent) == (2, 0, 1, 2)
    assert decision.in_office == 5 and decision.present == 3
    assert decision.outcome == Outcome.ADOPTED  # 2 of 2 votes cast, under the rule set's majority
    assert decision.decided_at == deadline
    silent = Vote.objects.filter(decision=decision, choice=VoteChoice.ABSENT)
    assert {v.director_id for v in silent} == {d[3].pk, d[4].pk}
    entry = AuditEntry.objects.get(action="written_consent.tallied")
    assert len(entry.data["silent"]) == 2 and entry.actor_ref == SYSTEM_ACTOR
    assert AuditEntry.objects.filter(action="board.decision_recorded").count() == 1


def test_tallied_against_the_rule_sets_objection_limit(board, clock):
    d = board.directors(5)
    consent = propose(board, clock, days=1)
    for person, choice in zip(d, ["yes", "yes", "yes", "no", "no"], strict=True):
        written_consent_vote(consent=consent, choice=choice, actor=person)
    clock.advance(days=1)
    written_consents_tally_due()
    consent.refresh_from_db()
    assert consent.decision.outcome == Outcome.OBJECTED  # two objections: the reference limit


def test_one_objection_does_not_stop_a_written_consent(board, clock):
    d = board.directors(5)
    consent = propose(board, clock, days=1)
    for person, choice in zip(d, ["yes", "yes", "yes", "yes", "no"], strict=True):
        written_consent_vote(consent=consent, choice=choice, actor=person)
    clock.advance(days=1)
    written_consents_tally_due()
    consent.refresh_from_db()
    assert consent.decision.outcome == Outcome.ADOPTED


def test_when_every_director_has_voted_the_tally_runs_at_once(board, clock, run_jobs):
    d = board.directors(3)
    consent = propose(board, clock)
    for person in d:
        written_consent_vote(consent=consent, choice="yes", actor=person)
    assert OutboxMessage.objects.filter(task_name="governance.tally_written_consent").count() == 1
    run_jobs()
    consent.refresh_from_db()
    assert consent.decision.outcome == Outcome.ADOPTED
    assert consent.decision.decided_at < consent.deadline
    # Safe to run twice: the deadline's job finds it tallied.
    clock.advance(days=8)
    assert written_consents_tally_due() == []
    assert Decision.objects.count() == 1


def test_the_dashboard_lists_consents_awaiting_the_directors_vote(board, clock, client):
    d = board.directors(2)
    consent = propose(board, clock)
    assert consents_awaiting(user=d[0]) == [consent]
    written_consent_vote(consent=consent, choice="no", actor=d[0])
    assert consents_awaiting(user=d[0]) == []
    sign_in(client, d[1])
    page = client.get("/dashboard/").content.decode()
    assert f"/manage/governance/consents/{consent.pk}/" in page


def test_a_director_votes_from_the_page_and_a_second_post_changes_nothing(board, clock, client):
    d = board.directors(3)
    consent = propose(board, clock)
    sign_in(client, d[0])
    url = f"/manage/governance/consents/{consent.pk}/"
    assert b"Confirm my vote" in client.get(url).content
    assert client.post(url, {"choice": "no"}).status_code == 302
    response = client.post(url, {"choice": "yes"}, follow=True)
    assert "already confirmed" in response.content.decode()
    assert list(ConsentVote.objects.values_list("choice", flat=True)) == ["no"]


def test_the_secretary_proposes_from_the_page(board, clock, client):
    board.directors(3)
    sign_in(client, board.secretary())
    response = client.post(
        "/manage/governance/consents/new/",
        {"title": "Buy a server", "text": "Resolved.", "kind": "ordinary", "deadline": "2026-06-08T12:00"},
    )
    consent = WrittenConsent.objects.get()
    assert response.status_code == 302 and consent.title == "Buy a server"


def test_a_directors_export_lists_their_written_consent_votes(board, clock):
    from governance.privacy import export_governance

    d = board.directors(2)
    consent = propose(board, clock)
    written_consent_vote(consent=consent, choice="abstain", actor=d[0])
    votes = export_governance(user=d[0])["written_consent_votes"]
    assert [(v["consent"], v["vote"]) for v in votes] == [("Adopt the travel policy", "abstain")]
