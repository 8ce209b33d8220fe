"""What the close (and a cancellation) leaves behind, receipts in random batches, turnout by class.

Each test shows one defence of issue 12 at work, so that taking it out fails the test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import re
import sqlite3

import pytest
from django.core import mail
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from core.errors import Conflict
from core.models import AuditEntry, OutboxMessage, OutgoingEmail
from elections.models import (
    Ballot,
    BallotKey,
    ElectionState,
    PendingReceipt,
    RollEntry,
    SealedBallot,
    Tracker,
    VotingReminder,
)
from elections.selectors import published_turnout
from elections.services import ballots as ballot_services
from elections.services.ballots import (
    ballot_cast,
    election_after_close,
    election_close_voting,
    receipts_batch_maybe,
    receipts_send,
)
from elections.services.lifecycle import election_cancel
from elections.services.reminders import voting_reminders_send
from tests.elections.adversary import physical_rows
from tests.elections.conftest import entry_for, opened_ballots
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def _cast(election, voter, order):
    return ballot_cast(
        election=election,
        voter=voter,
        roll_entry_id=entry_for(election, voter).pk,
        ranks={c.pk: i for i, c in enumerate(order, 1)},
    )


@pytest.fixture
def cast(elections):
    election, (ada, bob, cy), voters = elections.voting(candidates=["Ada", "Bob", "Cy"], voters=4)
    receipts = [
        _cast(election, v, order)
        for v, order in zip(voters, ([ada], [bob, ada], [cy, bob, ada]), strict=False)
    ]
    return election, (ada, bob, cy), voters, receipts


# --- The close ---------------------------------------------------------------------------------


def test_the_close_opens_the_sealed_ballots_into_fresh_rows_and_deletes_them_and_the_key(elections, cast):
    election, (ada, bob, cy), _, _ = cast
    before = sorted(opened_ballots(election))
    election = elections.close(election, count=False)
    assert election.state == ElectionState.COUNTING
    assert not SealedBallot.objects.filter(election=election).exists()
    assert not BallotKey.objects.filter(election=election).exists(), "the key is destroyed"
    after = sorted((b.choices, b.weight) for b in Ballot.objects.filter(election=election))
    assert after == before == sorted([([ada.pk], 1), ([bob.pk, ada.pk], 1), ([cy.pk, bob.pk, ada.pk], 1)])


def test_the_close_keeps_no_voted_mark_only_turnout_totals(elections, cast):
    election, *_ = cast
    election = elections.close(election, count=False)
    assert set(RollEntry.objects.filter(election=election).values_list("has_voted", flat=True)) == {None}
    assert election.turnout["voted_rows"] == 3 and election.turnout["quorum_met"]
    assert sum(c["voted_rows"] for c in election.turnout["by_class"].values()) == 3


def test_the_close_deletes_reminders_and_receipt_rows_which_say_who_voted(elections, cast, clock):
    election, *_ = cast
    receipts_send(election_id=election.pk)
    clock.set(election.voting_closes_at - dt.timedelta(days=1))
    assert voting_reminders_send(election=election) > 0
    assert VotingReminder.objects.filter(election=election).exists()
    assert OutgoingEmail.objects.filter(purpose="elections.receipt").count() == 3
    reminder_emails = list(
        OutgoingEmail.objects.filter(purpose="elections.voting_reminder").values_list("pk", flat=True)
    )
    elections.close(election, count=False)
    assert not VotingReminder.objects.filter(election=election).exists()
    assert not OutgoingEmail.objects.filter(purpose="elections.receipt").exists()
    assert not OutgoingEmail.objects.filter(pk__in=reminder_emails).exists()


def test_the_close_rewrites_ballots_trackers_and_roll_out_of_cast_order(elections, monkeypatch):
    """Row ids (SQLite) or ctid (PostgreSQL): the physical order after the close is not the cast order."""
    election, candidates, voters = elections.voting(candidates=["Ada", "Bob", "Cy", "Dee"], voters=12)
    orders = list(itertools.permutations(candidates))[:12]
    trackers = [_cast(election, v, order).tracker for v, order in zip(voters, orders, strict=True)]
    numbers = [entry_for(election, v).member_number for v in voters]
    monkeypatch.setattr(ballot_services, "_rng", random.Random(20260601))
    elections.close(election, count=False)
    cast_choices = [[c.pk for c in order] for order in orders]
    ballots = [_json(b["choices"]) for b in physical_rows(Ballot, ["choices"], election.pk)]
    assert sorted(ballots) == sorted(cast_choices) and ballots != cast_choices
    codes = [t["code"] for t in physical_rows(Tracker, ["code"], election.pk)]
    assert sorted(codes) == sorted(trackers) and codes != trackers
    roll = [r["member_number"] for r in physical_rows(RollEntry, ["member_number"], election.pk)]
    assert [n for n in roll if n in numbers] != numbers


def _json(value):
    return value if isinstance(value, list) else json.loads(value)


def test_ballots_cast_before_sealing_existed_are_counted_too(elections, cast):
    """An election open during the upgrade: its earlier ballots are cleartext rows, read as they are."""
    election, (_, _, cy), (*_, last), _ = cast
    entry = entry_for(election, last)
    RollEntry.objects.filter(pk=entry.pk).update(has_voted=True)
    Ballot.objects.create(election=election, choices=[cy.pk], weight=1)
    election = elections.close(election)
    assert Ballot.objects.filter(election=election).count() == 4
    assert election.state == ElectionState.COUNTED


def test_a_close_with_another_key_encryption_key_fails_and_changes_nothing(elections, cast, settings):
    election, *_ = cast
    settings.BALLOT_KEK = "not-the-key-that-wrapped-this-election-s-key"
    elections.goto(election.voting_closes_at)  # the schedule logs the refusal and tries again
    election.refresh_from_db()
    assert election.state == ElectionState.VOTING
    with pytest.raises(Conflict) as exc:
        election_close_voting(election=election)
    assert exc.value.code == "ballot_key_unreadable"
    assert SealedBallot.objects.filter(election=election).count() == 3
    assert RollEntry.objects.filter(election=election, has_voted=True).count() == 3


def test_a_tampered_sealed_ballot_stops_the_close(elections, cast):
    election, *_ = cast
    row = SealedBallot.objects.filter(election=election).first()
    blob = bytes(row.sealed)
    SealedBallot.objects.filter(pk=row.pk).update(sealed=blob[:-1] + bytes([blob[-1] ^ 1]))
    elections.goto(election.voting_closes_at)
    with pytest.raises(Conflict) as exc:
        election_close_voting(election=election)
    assert exc.value.code == "sealed_ballot_unreadable"


def test_the_close_queues_the_after_close_job_which_sends_the_last_receipts_unrecorded(elections, cast):
    election, _, voters, receipts = cast
    election = elections.close(election, count=False)
    assert OutboxMessage.objects.filter(
        task_name="elections.after_close", kwargs={"election_id": election.pk}
    ).exists()
    assert PendingReceipt.objects.filter(election=election).count() == 3
    election_after_close(election_id=election.pk)
    assert not PendingReceipt.objects.filter(election=election).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(v.email for v in voters[:3])
    assert {r.tracker for r in receipts} <= {code for m in mail.outbox for code in receipts_codes(m.body)}
    assert not OutgoingEmail.objects.filter(purpose="elections.receipt").exists()


def receipts_codes(body):
    return re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", body)


def test_the_after_close_job_vacuums_on_postgresql_only(elections, cast, monkeypatch):
    election, *_ = cast
    elections.close(election, count=False)
    tables = []
    monkeypatch.setattr(ballot_services, "_vacuum", lambda names: tables.extend(names) or True)
    election_after_close(election_id=election.pk)
    assert {"elections_ballot", "elections_sealedballot", "elections_tracker", "elections_rollentry"} <= set(
        tables
    )
    assert {"elections_ballotkey", "elections_pendingreceipt", "core_outgoingemail"} <= set(tables)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_vacuum_runs_outside_the_transaction_and_removes_dead_rows(elections):
    election, (ada, *_), (voter, *_) = elections.voting(candidates=["Ada", "Bob"])
    _cast(election, voter, [ada])
    elections.close(election, count=False)
    assert ballot_services._vacuum(["elections_sealedballot", "elections_rollentry"]) is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'elections_sealedballot'")
        (dead,) = cursor.fetchone()
    assert dead == 0


# --- A cancellation during voting ---------------------------------------------------------------


def test_a_cancelled_election_destroys_its_sealed_ballots_unopened(elections, cast, monkeypatch):
    election, *_ = cast
    committee = RoleFactory(role="election_committee").user

    def never(**kwargs):
        raise AssertionError("a cancelled election's ballots are never opened")

    monkeypatch.setattr(ballot_services.sealing, "open_sealed", never)
    election = election_cancel(election=election, reason="The bylaws changed.", actor=committee)
    assert election.state == ElectionState.CANCELLED
    for model in (SealedBallot, Ballot, Tracker, PendingReceipt, BallotKey):
        assert not model.objects.filter(election=election).exists(), model
    assert set(RollEntry.objects.filter(election=election).values_list("has_voted", flat=True)) == {None}
    assert election.turnout["voted_rows"] == 3
    entry = AuditEntry.objects.get(action="election.cancelled")
    assert entry.data["ballots_destroyed"] == 3
    assert OutboxMessage.objects.filter(task_name="elections.after_close").exists()


def test_the_tracker_page_of_a_cancelled_election_says_the_ballots_were_destroyed(client, elections, cast):
    election, *_ = cast
    election_cancel(
        election=election, reason="The bylaws changed.", actor=RoleFactory(role="election_committee").user
    )
    page = client.get(f"/elections/{election.slug}/trackers/").content.decode()
    assert "destroyed unopened" in page


# --- Receipts ---------------------------------------------------------------------------------


class Draw:
    def __init__(self, value):
        self.value = value

    def random(self):
        return self.value

    def shuffle(self, rows):
        rows.reverse()


def test_receipts_wait_for_a_batch_decided_at_random_by_the_schedule(cast, settings, monkeypatch):
    election, *_ = cast
    settings.RECEIPT_BATCH_MIN, settings.RECEIPT_BATCH_MINUTES, settings.RECEIPT_BATCH_SMALL_MINUTES = (
        3,
        30,
        720,
    )
    monkeypatch.setattr(ballot_services, "_rng", Draw(1 / 29))  # a 1-in-30 chance per minute: not this time
    assert receipts_batch_maybe(election=election) is False
    monkeypatch.setattr(ballot_services, "_rng", Draw(1 / 31))  # this time
    assert receipts_batch_maybe(election=election) is True
    assert OutboxMessage.objects.filter(task_name="elections.send_receipts").count() == 1


def test_with_fewer_receipts_than_a_batch_the_chance_is_smaller(cast, settings, monkeypatch):
    election, *_ = cast
    settings.RECEIPT_BATCH_MIN, settings.RECEIPT_BATCH_MINUTES, settings.RECEIPT_BATCH_SMALL_MINUTES = (
        4,
        30,
        720,
    )
    monkeypatch.setattr(ballot_services, "_rng", Draw(1 / 100))
    assert receipts_batch_maybe(election=election) is False
    monkeypatch.setattr(ballot_services, "_rng", Draw(1 / 1000))
    assert receipts_batch_maybe(election=election) is True


def test_a_batch_goes_out_in_random_order_with_one_time_for_all(cast, monkeypatch, clock):
    election, _, voters, _ = cast
    monkeypatch.setattr(ballot_services, "_rng", Draw(0))
    assert receipts_send(election_id=election.pk) == 3
    assert [m.to[0] for m in mail.outbox] == [v.email for v in reversed(voters[:3])]
    rows = OutgoingEmail.objects.filter(purpose="elections.receipt")
    assert len({r.created_at for r in rows}) == 1 and not PendingReceipt.objects.exists()


def test_a_receipt_the_mail_server_could_not_take_waits_for_the_next_batch(cast, monkeypatch):
    election, *_ = cast

    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("django.core.mail.EmailMessage.send", unreachable)
    assert receipts_send(election_id=election.pk) == 0
    assert PendingReceipt.objects.filter(election=election).count() == 3
    assert not OutgoingEmail.objects.filter(purpose="elections.receipt").exists()


# --- Turnout by class ----------------------------------------------------------------------------


def test_classes_with_fewer_voters_than_the_minimum_are_merged_into_other():
    figures = {
        "rows": 30,
        "voted_rows": 12,
        "by_class": {
            "individual": {"rows": 25, "weight": 25, "voted_rows": 9, "voted_weight": 9},
            "platinum": {"rows": 2, "weight": 100, "voted_rows": 1, "voted_weight": 50},
            "ruby": {"rows": 3, "weight": 15, "voted_rows": 2, "voted_weight": 10},
        },
    }
    published = published_turnout(figures, min_class_size=5)
    assert published["by_class"] == {
        "individual": {"rows": 25, "weight": 25, "voted_rows": 9, "voted_weight": 9},
        "other": {"rows": 5, "weight": 115, "voted_rows": 3, "voted_weight": 60},
    }
    assert published["voted_rows"] == 12
    assert published_turnout(published, min_class_size=5)["by_class"] == published["by_class"]


def test_the_frozen_turnout_publishes_no_class_below_the_minimum(elections, cast, client):
    election, *_ = cast
    election = elections.close(election)
    assert set(election.turnout["by_class"]) == {"other"}, "3 individuals voted: fewer than 5"
    body = client.get(f"/api/v1/elections/{election.slug}/").json()
    assert set(body["turnout"]["by_class"]) == {"other"}


# --- SQLite: deleted content is overwritten ------------------------------------------------------


def test_sqlite_connections_run_with_secure_delete(settings, tmp_path):
    """The configured SQLite connection zeroes what it deletes, so a copy of the file taken after
    the close keeps no sealed ballot or voted mark (shown on a file, whichever the test database)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1
    path = tmp_path / "charter.sqlite3"
    wrapper = SQLiteWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": dict(settings.SQLITE_OPTIONS),
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
            "TIME_ZONE": None,
            "ATOMIC_REQUESTS": False,
            "AUTOCOMMIT": True,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
        },
        alias="secure-delete-check",
    )
    secret = "MEMBER-NUMBER-THAT-VOTED-" * 20
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1
            cursor.execute("CREATE TABLE marks (id INTEGER PRIMARY KEY, note TEXT)")
            cursor.executemany("INSERT INTO marks (note) VALUES (%s)", [(f"{secret}{i}",) for i in range(50)])
            cursor.execute("DELETE FROM marks")
    finally:
        wrapper.close()
    assert b"MEMBER-NUMBER-THAT-VOTED" not in path.read_bytes()


def test_without_secure_delete_sqlite_keeps_deleted_content_in_the_file(tmp_path):
    """The control: the same deletion with secure_delete off leaves the text in the file."""
    path = tmp_path / "plain.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA secure_delete=OFF")
    db.execute("CREATE TABLE marks (id INTEGER PRIMARY KEY, note TEXT)")
    db.executemany(
        "INSERT INTO marks (note) VALUES (?)",
        [(f"{'MEMBER-NUMBER-THAT-VOTED-' * 20}{i}",) for i in range(50)],
    )
    db.commit()
    db.execute("DELETE FROM marks")
    db.commit()
    db.close()
    assert b"MEMBER-NUMBER-THAT-VOTED" in path.read_bytes()
