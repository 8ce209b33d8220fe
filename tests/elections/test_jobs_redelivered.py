"""A job a killed worker had in hand is delivered again (acks late, rejected on worker loss):
the election jobs it may be (the schedule's roll freeze, reminders and close; the count) do
their work once however often they run. The drill with a real SIGKILLed worker is
``make faults`` (bench/faults.py, ``drill_worker_kill``)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from config.celery import app
from core import clock as core_clock
from core.models import AuditEntry, OutgoingEmail
from elections import tasks
from elections.models import Ballot, ElectionState, RollEntry, VotingReminder
from elections.services.ballots import ballot_cast
from tests.elections.conftest import entry_for

pytestmark = pytest.mark.django_db


def _audit(election, action: str) -> int:
    return AuditEntry.objects.filter(action=action, object_ref=election.audit_ref).count()


def test_a_job_goes_back_to_the_broker_when_its_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True


def test_with_redis_an_unacknowledged_job_comes_back_after_a_set_visibility_timeout():
    # Settings as a production process reads them (a fresh interpreter: settings load once).
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
    )
    env = {
        **os.environ,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    env.pop("CELERY_VISIBILITY_TIMEOUT", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    # Not kombu's hour, yet longer than any job runs.
    assert 60 <= int(out.stdout.strip()) < 3600


def test_the_schedule_job_run_twice_freezes_the_roll_once(elections):
    election = elections.create()
    elections.open_nominations(election)
    elections.stand(election, name="Ada")
    elections.member()
    core_clock.freeze(election.record_date)
    tasks.run_schedule()
    rows = RollEntry.objects.filter(election=election).count()
    tasks.run_schedule()  # the same job delivered again
    election.refresh_from_db()
    assert election.roll_frozen_at is not None
    assert rows > 0 and RollEntry.objects.filter(election=election).count() == rows
    assert _audit(election, "election.roll_frozen") == 1


def test_the_schedule_job_run_twice_sends_each_reminder_once(elections):
    election, (ada,), (voted, *waiting) = elections.voting(candidates=["Ada"])
    ballot_cast(
        election=election, voter=voted, roll_entry_id=entry_for(election, voted).pk, ranks={ada.pk: 1}
    )
    core_clock.freeze(election.voting_closes_at - dt.timedelta(days=7))
    tasks.run_schedule()
    tasks.run_schedule()
    unvoted = RollEntry.objects.filter(election=election, has_voted=False).count()
    assert VotingReminder.objects.filter(election=election).count() == unvoted
    emails = OutgoingEmail.objects.filter(purpose="elections.voting_reminder")
    for person in waiting:
        assert emails.filter(to=person.email).count() == 1
    assert not emails.filter(to=voted.email).exists()


def test_the_count_job_run_twice_counts_once(elections):
    election, (ada, _bob), voters = elections.voting(candidates=["Ada", "Bob"])
    for voter in voters:
        ballot_cast(
            election=election, voter=voter, roll_entry_id=entry_for(election, voter).pk, ranks={ada.pk: 1}
        )
    core_clock.freeze(election.voting_closes_at)
    tasks.run_schedule()  # closes voting, queues the count
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTING
    tasks.count(election_id=election.pk)
    tasks.count(election_id=election.pk)  # delivered again
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTED
    assert _audit(election, "election.counted") == 1
    assert Ballot.objects.filter(election=election).count() == len(voters)
