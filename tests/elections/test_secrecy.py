"""Secrecy: no column links a ballot to a voter; the close erases the order of voting.

Threat model: someone reading the database after the close. The PostgreSQL tests cast
in a known order, close, and show that ids, physical order (ctid) and the writing
transaction (xmin) of ballots, trackers and roll rows carry nothing of that order.
"""

from __future__ import annotations

import itertools
import json
import random

import pytest
from django.db import connection, models

from elections import sealing
from elections.models import Ballot, BallotKey, Election, RollEntry, Tracker
from elections.services import ballots as ballot_services
from elections.services.ballots import ballot_cast
from tests.elections.conftest import entry_for

VOTERS = 40


def test_no_ballot_or_tracker_field_refers_to_a_voter_a_user_or_a_time(db):
    for model, allowed in (
        (Ballot, {"id", "election", "choices", "weight"}),
        (Tracker, {"id", "election", "code"}),
    ):
        fields = {f.name for f in model._meta.get_fields() if f.concrete}
        assert fields == allowed
        relations = [f for f in model._meta.get_fields() if f.is_relation and f.concrete]
        assert [f.related_model for f in relations] == [Election]
        assert not [
            f for f in model._meta.get_fields() if isinstance(f, models.DateTimeField | models.DateField)
        ]


def test_no_foreign_key_constraint_links_ballots_or_trackers_to_anything_but_the_election(db):
    with connection.cursor() as cursor:
        for model in (Ballot, Tracker):
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            targets = {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}
            assert targets == {Election._meta.db_table}


def test_the_roll_row_records_only_that_a_ballot_was_cast(db):
    timeish = [
        f for f in RollEntry._meta.get_fields() if isinstance(f, models.DateTimeField | models.DateField)
    ]
    assert timeish == []
    assert not any(
        f.related_model in (Ballot, Tracker) for f in RollEntry._meta.get_fields() if f.is_relation
    )


def _spearman(xs: list[int], ys: list[int]) -> float:
    n = len(xs)
    rank_x = {v: i for i, v in enumerate(sorted(xs))}
    rank_y = {v: i for i, v in enumerate(sorted(ys))}
    d2 = sum((rank_x[x] - rank_y[y]) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def _choices(value: object) -> list[int]:
    return value if isinstance(value, list) else json.loads(str(value))


def _physical(table: str, election: Election, columns: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT xmin::text, {columns} FROM {table} WHERE election_id = %s ORDER BY ctid",  # noqa: S608
            [election.pk],
        )
        return cursor.fetchall()


@pytest.fixture
def cast_in_known_order(elections, monkeypatch):
    names = ["Ada", "Bob", "Cy", "Dee", "Eve"]
    election, candidates, voters = elections.voting(candidates=names, voters=VOTERS)
    orders = list(itertools.permutations(candidates))[:VOTERS]  # a distinct ballot per voter
    trackers = []
    for voter, order in zip(voters, orders, strict=True):
        receipt = ballot_cast(
            election=election,
            voter=voter,
            roll_entry_id=entry_for(election, voter).pk,
            ranks={c.pk: i for i, c in enumerate(order, 1)},
        )
        trackers.append(receipt.tracker)
    monkeypatch.setattr(ballot_services, "_rng", random.Random(20260601))
    cast_choices = [[c.pk for c in order] for order in orders]
    numbers = [entry_for(election, v).member_number for v in voters]
    return election, cast_choices, trackers, numbers


@pytest.mark.postgres
def test_before_the_close_physical_order_does_reveal_the_voting_order(cast_in_known_order):
    """The control: without the rewrite, ctid order is the cast order (so the test can see it):
    the sealed ballots, opened with the key (which only the close has), come out in cast order."""
    election, cast_choices, _, _ = cast_in_known_order
    key = BallotKey.objects.get(election=election)
    private = sealing.unwrap_key(election_id=election.pk, wrapped_private=bytes(key.wrapped_private_key))
    rows = _physical("elections_sealedballot", election, "sealed")
    opened = [
        sealing.open_sealed(election_id=election.pk, private=private, sealed=bytes(r[1]))[0] for r in rows
    ]
    assert opened == cast_choices


@pytest.mark.postgres
def test_after_the_close_no_order_or_transaction_survives(elections, cast_in_known_order):
    election, cast_choices, trackers, numbers = cast_in_known_order
    election = elections.close(election)
    assert election.state == "counted"
    position = {json.dumps(c): i for i, c in enumerate(cast_choices)}

    ballots = _physical("elections_ballot", election, "choices, id::text")
    assert len({xmin for xmin, *_ in ballots}) == 1, "one writing transaction for every ballot"
    by_ctid = [position[json.dumps(_choices(c))] for _, c, _ in ballots]
    assert by_ctid != list(range(VOTERS))
    assert abs(_spearman(list(range(VOTERS)), by_ctid)) < 0.5
    by_id = [position[json.dumps(_choices(c))] for _, c, _ in sorted(ballots, key=lambda r: r[2])]
    assert abs(_spearman(list(range(VOTERS)), by_id)) < 0.5

    tracker_rows = _physical("elections_tracker", election, "code")
    assert len({xmin for xmin, _ in tracker_rows}) == 1
    tracker_position = {code: i for i, code in enumerate(trackers)}
    order = [tracker_position[code] for _, code in tracker_rows]
    assert order != list(range(VOTERS)) and abs(_spearman(list(range(VOTERS)), order)) < 0.5

    roll_rows = _physical("elections_rollentry", election, "member_number, has_voted")
    assert len({xmin for xmin, *_ in roll_rows}) == 1
    roll_position = {n: i for i, n in enumerate(numbers)}
    voted = [roll_position[n] for _, n, has_voted in roll_rows if n in roll_position]
    assert voted != list(range(VOTERS)) and abs(_spearman(list(range(VOTERS)), voted)) < 0.5
    assert ballots[0][0] == roll_rows[0][0] == tracker_rows[0][0], (
        "the same (closing) transaction wrote all three"
    )
