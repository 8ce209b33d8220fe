"""Issue 18, item 4: a member suspended during voting can no longer vote.

The roll is frozen at the record date, so a member suspended later still cast a ballot. Now
the suspension strikes their line if they have not voted (audited, the reason on the
committee's roll page); a ballot already cast stays counted.
"""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import IntegrityError, transaction

from core import clock
from core.errors import Conflict
from core.models import AuditEntry, RuleSet
from core.rules import rules_in_force
from elections.models import Ballot, RollEntry
from elections.selectors import election_turnout
from elections.services.ballots import ballot_cast
from elections.services.roll import access_own_roll_entries
from governance.services.suspensions import membership_reinstate, membership_suspend
from tests.auth import sign_in
from tests.elections.conftest import entry_for, opened_ballots
from tests.factories import RoleFactory, register_decision, suspend_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting(elections):
    return elections.voting(candidates=["Ada", "Bob"], voters=3)


def _cast(election, user, candidate):
    return ballot_cast(
        election=election, voter=user, roll_entry_id=entry_for(election, user).pk, ranks={candidate.pk: 1}
    )


def test_a_suspension_during_voting_strikes_the_line_of_a_member_who_has_not_voted(voting):
    election, (ada, _bob), (voter, *_) = voting
    before = election_turnout(election=election)
    RuleSet.objects.filter(pk=rules_in_force().pk).update(suspension_notice_days=0)
    membership_suspend(
        actor=RoleFactory(role="secretary").user,
        membership=voter.memberships.get(),
        decision=register_decision(title="Suspend a member"),
        notice_date=clock.now().date(),
        reason="Harassment on the mailing list",
    )
    line = entry_for(election, voter)
    assert line.struck and line.struck_reason == "suspended" and not line.has_voted
    with pytest.raises(Conflict) as error:
        _cast(election, voter, ada)
    assert error.value.code == "struck"
    assert not Ballot.objects.filter(election=election).exists() and opened_ballots(election) == []
    assert access_own_roll_entries(election=election, user=voter) == []
    after = election_turnout(election=election)
    assert (after.rows, after.weight) == (before.rows - 1, before.weight - line.weight)
    entry = AuditEntry.objects.get(action="election.roll_line_struck")
    assert entry.data == {"member": voter.memberships.get().number, "reason": "suspended"}


def test_a_ballot_already_cast_stays_counted(voting):
    election, (ada, _bob), (voter, *_) = voting
    _cast(election, voter, ada)
    suspend_member(voter.memberships.get())
    line = entry_for(election, voter)
    assert line.has_voted and not line.struck
    assert len(opened_ballots(election)) == 1  # sealed during voting, opened as the close opens them
    assert not AuditEntry.objects.filter(action="election.roll_line_struck").exists()
    assert election_turnout(election=election).voted_rows == 1


def test_lifting_the_suspension_before_the_close_restores_the_line(voting):
    election, (ada, _bob), (voter, *_) = voting
    membership = voter.memberships.get()
    suspend_member(membership)
    assert entry_for(election, voter).struck
    membership_reinstate(
        actor=RoleFactory(role="secretary").user,
        membership=membership,
        decision=register_decision(title="Lift the suspension"),
    )
    assert not entry_for(election, voter).struck
    _cast(election, voter, ada)
    assert entry_for(election, voter).has_voted


def test_a_member_suspended_between_the_record_date_and_the_freeze_is_struck_at_the_freeze(elections):
    election = elections.create()
    elections.open_nominations(election)
    elections.stand(election, name="Ada")
    voter = elections.member()
    clock.freeze(election.record_date + dt.timedelta(minutes=30))
    suspend_member(voter.memberships.get())  # no roll is frozen yet: nothing to strike
    elections.goto(election.record_date + dt.timedelta(hours=1))
    line = entry_for(election, voter)
    assert line.struck and line.struck_reason == "suspended"


def test_the_committee_sees_the_struck_line_and_why(client, voting):
    election, _candidates, (voter, *_) = voting
    suspend_member(voter.memberships.get())
    user = RoleFactory(role="election_committee").user
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    page = client.get(f"/manage/elections/{election.slug}/roll/").content.decode()
    assert voter.memberships.get().number in page
    assert "Suspended after the record date: a suspended member cannot vote." in page


def test_a_line_that_has_voted_cannot_be_struck(voting):
    """A database constraint: the cast and the strike may race, never both win."""
    election, (ada, _bob), (voter, *_) = voting
    _cast(election, voter, ada)
    with pytest.raises(IntegrityError), transaction.atomic():
        RollEntry.objects.filter(pk=entry_for(election, voter).pk).update(struck=True)


def test_the_voting_rights_on_the_roll_say_the_line_was_struck(voting):
    from elections.selectors import voting_rights_on_roll

    election, _candidates, (voter, *_) = voting
    membership = voter.memberships.get()
    suspend_member(membership)
    rights = voting_rights_on_roll(membership=membership, election=election)
    assert not rights.eligible and rights.weight == 0 and [r.code for r in rights.reasons] == ["struck"]
