"""Voting reminders go once per offset to roll rows that have not voted; the committee sees the unreached."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import OutgoingEmail
from elections.models import VotingReminder
from elections.services.ballots import ballot_cast
from elections.services.reminders import unreached_voters
from tests.elections.conftest import entry_for

pytestmark = pytest.mark.django_db


def test_reminders_go_at_the_rule_set_offsets_only_to_those_who_have_not_voted(elections):
    election, (ada,), (voted, waiting, _) = elections.voting(candidates=["Ada"])
    ballot_cast(
        election=election, voter=voted, roll_entry_id=entry_for(election, voted).pk, ranks={ada.pk: 1}
    )
    elections.goto(election.voting_closes_at - dt.timedelta(days=7))
    reminders = OutgoingEmail.objects.filter(purpose="elections.voting_reminder")
    assert reminders.filter(to=waiting.email).count() == 1
    assert not reminders.filter(to=voted.email).exists()
    elections.goto(election.voting_closes_at - dt.timedelta(days=7) + dt.timedelta(minutes=1))
    assert reminders.filter(to=waiting.email).count() == 1, "once per offset"
    elections.goto(election.voting_closes_at - dt.timedelta(days=1))
    assert reminders.filter(to=waiting.email).count() == 2


def test_the_committee_sees_who_could_not_be_reached(elections):
    election, _, (voter, *_) = elections.voting(candidates=["Ada"])
    elections.goto(election.voting_closes_at - dt.timedelta(days=7))
    number = entry_for(election, voter).member_number
    reminder = VotingReminder.objects.get(election=election, member_number=number)
    OutgoingEmail.objects.filter(pk=reminder.email_id).update(status=OutgoingEmail.Status.BOUNCED)
    assert [row["member_number"] for row in unreached_voters(election=election)] == [number]


def test_the_election_list_runs_a_constant_number_of_queries(
    client, elections, django_assert_max_num_queries
):
    elections.create()
    with django_assert_max_num_queries(12) as first:
        client.get("/elections/")
    for _ in range(3):
        elections.create()
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/elections/")
