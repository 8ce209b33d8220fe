"""Casting: the window, the roll, one ballot per roll row, ballot validation, receipts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from core.errors import Conflict, NotFound, ValidationFailed
from core.models import AuditEntry, OutboxMessage, OutgoingEmail
from elections.models import Ballot, PendingReceipt, RollEntry, SealedBallot, Tracker
from elections.services.ballots import ballot_cast, receipts_send
from elections.services.nominations import candidate_withdraw
from tests.conftest import Clock
from tests.elections.conftest import entry_for, opened_ballots
from tests.factories import UserFactory


def _only(ballots):
    (ballot,) = ballots
    return ballot


pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(elections):
    return elections.voting(candidates=["Ada", "Bob", "Cy"], voters=3)


def _cast(election, user, **kwargs):
    return ballot_cast(election=election, voter=user, roll_entry_id=entry_for(election, user).pk, **kwargs)


def test_a_ranked_ballot_is_stored_sealed_without_voter_and_the_row_marked(ranked):
    election, (ada, bob, _cy), (voter, *_) = ranked
    receipt = _cast(election, voter, ranks={bob.pk: 1, ada.pk: 2})
    assert not Ballot.objects.filter(election=election).exists(), "no ballot in the clear during voting"
    assert SealedBallot.objects.filter(election=election).count() == 1
    assert opened_ballots(election) == [([bob.pk, ada.pk], 1)]
    assert entry_for(election, voter).has_voted
    assert Tracker.objects.filter(election=election, code=receipt.tracker).exists()


def test_casting_writes_no_audit_entry_and_no_email_row(ranked):
    election, (ada, *_), (voter, *_) = ranked
    audits, mails = AuditEntry.objects.count(), OutgoingEmail.objects.count()
    _cast(election, voter, ranks={ada.pk: 1})
    assert AuditEntry.objects.count() == audits and OutgoingEmail.objects.count() == mails


def test_the_receipt_email_carries_the_tracker_and_never_the_choices(ranked):
    election, (ada, *_), (voter, *_) = ranked
    receipt = _cast(election, voter, ranks={ada.pk: 1})
    receipts_send(election_id=election.pk)
    (sent,) = mail.outbox
    assert sent.to == [voter.email] and receipt.tracker in sent.body and "Ada" not in sent.body
    assert not PendingReceipt.objects.exists()


def test_the_receipt_email_row_keeps_the_recipient_and_template_but_no_tracker(ranked):
    election, (ada, *_), (voter, *_) = ranked
    receipt = _cast(election, voter, ranks={ada.pk: 1})
    receipts_send(election_id=election.pk)
    row = OutgoingEmail.objects.get(purpose="elections.receipt")
    assert row.to == voter.email and row.template == "emails/elections/ballot_recorded"
    assert row.status == OutgoingEmail.Status.SENT
    stored = " ".join(str(getattr(row, f.attname)) for f in OutgoingEmail._meta.concrete_fields)
    assert receipt.tracker not in stored and row.body == "" and row.subject == ""


def test_casting_queues_no_job_and_no_email_of_its_own(ranked):
    election, (ada, *_), (voter, *_) = ranked
    jobs, mails = OutboxMessage.objects.count(), OutgoingEmail.objects.count()
    _cast(election, voter, ranks={ada.pk: 1})
    assert OutboxMessage.objects.count() == jobs and OutgoingEmail.objects.count() == mails
    assert PendingReceipt.objects.filter(election=election).count() == 1


def test_voting_twice_for_one_roll_row_is_refused_and_stores_nothing(ranked):
    election, (ada, bob, _), (voter, *_) = ranked
    _cast(election, voter, ranks={ada.pk: 1})
    with pytest.raises(Conflict) as exc:
        _cast(election, voter, ranks={bob.pk: 1})
    assert exc.value.code == "already_voted"
    assert len(opened_ballots(election)) == 1


def test_a_person_not_on_the_roll_cannot_vote(ranked):
    election, (ada, *_), _ = ranked
    stranger = UserFactory()
    some_row = RollEntry.objects.filter(election=election).first()
    with pytest.raises(NotFound) as exc:
        ballot_cast(election=election, voter=stranger, roll_entry_id=some_row.pk, ranks={ada.pk: 1})
    assert exc.value.code == "not_on_roll"


def test_voting_before_the_window_is_refused(elections):
    election = elections.create()
    elections.open_nominations(election)
    ada = elections.stand(election, name="Ada")
    voter = elections.member()
    elections.goto(election.record_date)
    election.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        _cast(election, voter, ranks={ada.pk: 1})
    assert exc.value.code == "voting_closed"


def test_voting_after_the_close_is_refused(ranked, clock: Clock):
    election, (ada, *_), (voter, *_) = ranked
    clock.set(election.voting_closes_at + dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as exc:
        _cast(election, voter, ranks={ada.pk: 1})
    assert exc.value.code == "voting_closed"


@pytest.mark.parametrize(
    ("ranks", "code"),
    [
        ({0: 1, 1: 1}, "duplicate_rank"),
        ({0: 1, 1: 3}, "rank_gap"),
        ({0: 2}, "rank_gap"),
    ],
)
def test_a_ranked_ballot_with_duplicates_or_gaps_is_refused(ranked, ranks, code):
    election, candidates, (voter, *_) = ranked
    with pytest.raises(ValidationFailed) as exc:
        _cast(election, voter, ranks={candidates[i].pk: r for i, r in ranks.items()})
    assert exc.value.code == code
    assert not entry_for(election, voter).has_voted


def test_a_blank_ballot_counts_for_turnout(ranked):
    election, _, (voter, *_) = ranked
    _cast(election, voter, ranks={})
    assert _only(opened_ballots(election))[0] == []


def test_a_withdrawn_candidate_cannot_be_voted_for(ranked):
    election, (_ada, bob, _), (voter, *_) = ranked
    candidate_withdraw(candidate=bob, actor=bob.person)
    with pytest.raises(ValidationFailed) as exc:
        _cast(election, voter, ranks={bob.pk: 1})
    assert exc.value.code == "candidate_withdrawn"


def test_an_approval_ballot_over_the_limit_is_refused(elections):
    election, (a, b, c), (voter, *_) = elections.voting(
        candidates=["Ada", "Bob", "Cy"], method="approval", approval_max_marks=2
    )
    with pytest.raises(ValidationFailed) as exc:
        _cast(election, voter, marks=[a.pk, b.pk, c.pk])
    assert exc.value.code == "too_many_marks"
    _cast(election, voter, marks=[a.pk, c.pk])
    assert _only(opened_ballots(election))[0] == sorted([a.pk, c.pk])


def test_a_plurality_ballot_has_at_most_as_many_marks_as_seats(elections):
    election, (a, b, c), (voter, *_) = elections.voting(
        candidates=["Ada", "Bob", "Cy"], method="plurality", seats=2
    )
    with pytest.raises(ValidationFailed) as exc:
        _cast(election, voter, marks=[a.pk, b.pk, c.pk])
    assert exc.value.code == "too_many_marks"


def test_an_alternate_may_cast_the_organisations_single_ballot(elections, clock):
    from tests.elections.test_roll import _org_member

    election = elections.create()
    org = _org_member("gold")
    org.alternate = UserFactory()
    org.save(update_fields=["alternate"])
    elections.open_nominations(election)
    ada = elections.stand(election, name="Ada")
    election = elections.open_voting(election)
    row = RollEntry.objects.get(election=election, subject_type="organisation")
    ballot_cast(election=election, voter=org.alternate, roll_entry_id=row.pk, ranks={ada.pk: 1})
    with pytest.raises(Conflict):
        ballot_cast(election=election, voter=org.representative, roll_entry_id=row.pk, ranks={ada.pk: 1})
    assert _only(opened_ballots(election))[1] == 15


def test_casting_runs_a_fixed_number_of_queries(ranked, django_assert_max_num_queries):
    election, (ada, bob, _), (v1, v2, _) = ranked
    entry = entry_for(election, v1)
    with django_assert_max_num_queries(20) as captured:
        ballot_cast(election=election, voter=v1, roll_entry_id=entry.pk, ranks={ada.pk: 1, bob.pk: 2})
    entry = entry_for(election, v2)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        ballot_cast(election=election, voter=v2, roll_entry_id=entry.pk, ranks={bob.pk: 1})
