"""Parallel requests cannot double-vote: 50 concurrent casts for one roll row store one ballot."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from elections.models import Ballot, PendingReceipt, RollEntry, Tracker
from elections.services.ballots import ballot_cast
from tests.elections.conftest import entry_for, opened_ballots

REQUESTS = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_casts_for_one_roll_row_store_exactly_one_ballot(elections):
    election, (ada, bob), (voter, *_) = elections.voting(candidates=["Ada", "Bob"])
    entry = entry_for(election, voter)
    barrier = threading.Barrier(REQUESTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def cast(i: int) -> None:
        try:
            barrier.wait()
            ballot_cast(
                election=election,
                voter=voter,
                roll_entry_id=entry.pk,
                ranks={(ada if i % 2 else bob).pk: 1},
            )
            result = "stored"
        except Conflict as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(REQUESTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("stored") == 1
    assert outcomes.count("already_voted") == REQUESTS - 1
    assert len(opened_ballots(election)) == 1
    assert not Ballot.objects.filter(election=election).exists()
    assert PendingReceipt.objects.filter(election=election).count() == 1
    assert Tracker.objects.filter(election=election).count() == 1
    assert RollEntry.objects.get(pk=entry.pk).has_voted
