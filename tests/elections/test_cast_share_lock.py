"""Casts share the election lock: they run side by side, yet never slip past the close.

A cast holds the election row ``FOR SHARE``; the close (and cancel, extension) takes it
``FOR UPDATE``. Each test holds one transaction open in a thread and shows what the others
do meanwhile. PostgreSQL only: SQLite serialises writers anyway.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from core import clock
from core.errors import Conflict
from elections.models import Ballot, Election, ElectionState, RollEntry, SealedBallot
from elections.services.ballots import ballot_cast, election_close_voting
from elections.services.common import lock_election_shared
from tests.elections.conftest import entry_for, opened_ballots

WAIT = 10.0  # seconds a thread may take for what should be immediate


class Holder(threading.Thread):
    """Runs ``work`` in a transaction and keeps it open until ``release`` is set."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.holding = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.work()
                self.holding.set()
                self.release.wait(WAIT * 3)
        except BaseException as exc:  # reported to the test
            self.error = exc
            self.holding.set()
        finally:
            connection.close()


class Call(threading.Thread):
    """Runs ``work`` once; keeps its result or the error's code."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.result: Any = None
        self.code = ""

    def run(self) -> None:
        try:
            self.result = self.work()
        except Conflict as exc:
            self.code = exc.code
        finally:
            connection.close()


def _cast(election: Election, voter: Any, candidate: Any) -> Callable[[], Any]:
    entry = entry_for(election, voter)
    return lambda: ballot_cast(
        election=election, voter=voter, roll_entry_id=entry.pk, ranks={candidate.pk: 1}
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_casts_proceed_while_another_cast_holds_the_election_lock(elections):
    election, (ada, bob), (first, second, third) = elections.voting(candidates=["Ada", "Bob"])
    holder = Holder(_cast(election, first, ada))  # a cast whose transaction stays open
    holder.start()
    assert holder.holding.wait(WAIT) and holder.error is None
    casts = [Call(_cast(election, second, bob)), Call(_cast(election, third, ada))]
    for call in casts:
        call.start()
    for call in casts:
        call.join(WAIT)
    # Both finished while the first cast's transaction (and its lock) is still open.
    assert not any(call.is_alive() for call in casts)
    assert all(call.result is not None and not call.code for call in casts)
    assert holder.is_alive()
    holder.release.set()
    holder.join(WAIT)
    assert holder.error is None
    assert len(opened_ballots(election)) == 3
    assert RollEntry.objects.filter(election=election, has_voted=True).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transaction_holding_the_cast_lock_does_not_block_a_cast(elections):
    election, (ada, _bob), (first, *_rest) = elections.voting(candidates=["Ada", "Bob"])
    holder = Holder(lambda: lock_election_shared(election))
    holder.start()
    assert holder.holding.wait(WAIT) and holder.error is None
    cast = Call(_cast(election, first, ada))
    cast.start()
    cast.join(WAIT)
    assert not cast.is_alive() and cast.result is not None
    holder.release.set()
    holder.join(WAIT)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_close_waits_for_a_cast_in_flight_and_counts_its_ballot(elections):
    election, (ada, bob), voters = elections.voting(candidates=["Ada", "Bob"], voters=3)
    first, second, late = voters
    for voter, candidate in ((first, ada), (second, bob)):
        _cast(election, voter, candidate)()
    clock.freeze(election.voting_closes_at - dt.timedelta(minutes=1))
    in_flight = Holder(_cast(election, late, ada))  # cast, not yet committed
    in_flight.start()
    assert in_flight.holding.wait(WAIT) and in_flight.error is None
    clock.freeze(election.voting_closes_at)
    close = Call(lambda: election_close_voting(election=Election.objects.get(pk=election.pk)))
    close.start()
    close.join(1.5)
    assert close.is_alive(), "the close must wait for the cast in flight"
    in_flight.release.set()
    in_flight.join(WAIT)
    close.join(WAIT)
    assert in_flight.error is None
    assert not close.is_alive() and not close.code
    election.refresh_from_db()
    assert election.state not in (ElectionState.VOTING, ElectionState.EXTENDED)
    assert not SealedBallot.objects.filter(election=election).exists()
    assert Ballot.objects.filter(election=election).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cast_waiting_behind_the_close_is_refused_once_the_close_commits(elections):
    election, (ada, bob), voters = elections.voting(candidates=["Ada", "Bob"], voters=3)
    first, second, late = voters
    for voter, candidate in ((first, ada), (second, bob)):
        _cast(election, voter, candidate)()
    clock.freeze(election.voting_closes_at)
    closing = Holder(lambda: election_close_voting(election=Election.objects.get(pk=election.pk)))
    closing.start()
    assert closing.holding.wait(WAIT) and closing.error is None
    # The cast is inside its window by the clock: only the close's commit can refuse it.
    clock.freeze(election.voting_closes_at - dt.timedelta(minutes=1))
    cast = Call(_cast(election, late, ada))
    cast.start()
    cast.join(1.5)
    assert cast.is_alive(), "the cast must wait for the close's transaction"
    closing.release.set()
    closing.join(WAIT)
    cast.join(WAIT)
    assert closing.error is None
    assert not cast.is_alive()
    assert cast.result is None and cast.code == "voting_closed"
    assert Ballot.objects.filter(election=election).count() == 2
    assert not SealedBallot.objects.filter(election=election).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cast_after_the_close_committed_is_refused(elections):
    election, (ada, _bob), (first, second, late) = elections.voting(candidates=["Ada", "Bob"])
    for voter in (first, second):
        _cast(election, voter, ada)()
    late_cast = _cast(election, late, ada)  # its roll row as the voter's page had it
    clock.freeze(election.voting_closes_at)
    election_close_voting(election=Election.objects.get(pk=election.pk))
    clock.freeze(election.voting_closes_at - dt.timedelta(minutes=1))  # only the state refuses
    with pytest.raises(Conflict) as refused:
        late_cast()
    assert refused.value.code == "voting_closed"
    assert Ballot.objects.filter(election=election).count() == 2
