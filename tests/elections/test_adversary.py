"""The adversary test: an insider reading everything Charter stores tries to tie voters to ballots.

An election with unique weights: two Platinum sponsors (weight 50, one votes), one Ruby
sponsor (weight 5, the only one on the roll, votes) and individual members (weight 1);
every voter casts a different ranking, over two weeks, while the schedule sends reminders
and receipt batches and the jobs run as a worker would run them. The insider
(``tests/elections/adversary.py``) has voted three times themselves (the controls) and
reads the database, the mail table, the outbox and the logs during voting and after the close.

- During voting it may learn who has voted, and nothing of how (the ballots are sealed).
- After the close it learns nothing that ties a voter to a ballot beyond what weighted
  voting cannot hide (the Ruby sponsor's ballot, the only weight-5 ballot), and no longer
  who voted.
- A control run against a weakened build (no sealing, per-cast receipts, no shuffle, voted
  marks kept, no vacuum: the code before issue 12) shows the same insider tying voters.

On PostgreSQL the insider also reads ``xmin``/``ctid`` and, with ``pageinspect``, the row
versions a vacuum has not removed yet (the ``postgres`` tests, committed for real).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import random
from dataclasses import dataclass
from typing import Any

import pytest

from core import clock as core_clock
from core.outbox import run_pending_inline
from elections.models import Election, ElectionState, RollEntry
from elections.services import ballots as ballot_services
from elections.services.ballots import ballot_cast
from elections.services.lifecycle import election_run_schedule
from tests.elections.adversary import Choices, Control, Insider, Report, enable_pageinspect, weaken
from tests.factories import OrganisationFactory, UserFactory, make_member

CONTROLS = 3
INDIVIDUAL_VOTERS = 9


@dataclass
class Scenario:
    election: Election
    truth: dict[str, Choices]  # member number → choices, for every voter
    controls: list[Control]
    platinum: tuple[str, str]  # (voted, did not vote)
    ruby: str
    during: Report
    logs: Any

    @property
    def control_numbers(self) -> set[str]:
        return {c.member_number for c in self.controls}

    def attack(self, phase: str, *, pageinspect: bool = False) -> Report:
        self.election.refresh_from_db()
        insider = Insider(self.election, controls=self.controls, logs=self.logs.text, pageinspect=pageinspect)
        return insider.attack(phase)


def _organisation(elections: Any, class_code: str) -> Any:
    org = OrganisationFactory(representative=UserFactory())
    org.created_at = core_clock.now() - dt.timedelta(days=300)
    org.save(update_fields=["created_at"])
    make_member(organisation=org, class_code=class_code, start=core_clock.now() - dt.timedelta(days=200))
    return org


def _tick(at: dt.datetime) -> None:
    """The minute ``at``: the schedule runs, then the worker runs whatever is due."""
    core_clock.freeze(at)
    election_run_schedule()
    run_pending_inline()


def play(elections: Any, caplog: Any, settings: Any, monkeypatch: Any, *, seed: int = 12) -> Scenario:
    """Build the election, vote over two weeks, and let the insider look just before the close."""
    settings.RECEIPT_BATCH_MIN = 3
    settings.RECEIPT_BATCH_MINUTES = 1  # once three wait, the next minute sends them
    settings.RECEIPT_BATCH_SMALL_MINUTES = 10**6
    caplog.set_level(logging.DEBUG)
    rng = random.Random(seed)
    monkeypatch.setattr(ballot_services, "_rng", random.Random(seed + 1))
    election = elections.create()
    platinum_voter = _organisation(elections, "platinum")
    platinum_other = _organisation(elections, "platinum")
    ruby = _organisation(elections, "ruby")
    individuals = [elections.member() for _ in range(INDIVIDUAL_VOTERS)]
    elections.open_nominations(election)
    candidates = [elections.stand(election, name=name) for name in ("Ada", "Bob", "Cy", "Dee")]
    election = elections.open_voting(election)
    voters = [platinum_voter.representative, ruby.representative, *individuals]
    rng.shuffle(voters)
    # A different ranking for every voter (2, 3 or 4 preferences), so a tie is never by chance.
    orders = [list(itertools.permutations(candidates, n)) for n in (2, 3, 4)]
    for group in orders:
        rng.shuffle(group)
    rankings = [orders[i % 3][i] for i in range(len(voters))]
    truth: dict[str, Choices] = {}
    controls: list[Control] = []
    insiders = set(individuals[:CONTROLS])
    span = election.voting_closes_at - election.voting_opens_at
    for i, (voter, ranking) in enumerate(zip(voters, rankings, strict=True)):
        at = (
            election.voting_opens_at
            + span * (i + 0.5) / (len(voters) + 1)
            + dt.timedelta(minutes=rng.randint(0, 59))
        )
        _tick(at)
        entry = RollEntry.objects.get(election=election, voter=voter)
        receipt = ballot_cast(
            election=election,
            voter=voter,
            roll_entry_id=entry.pk,
            ranks={c.pk: n for n, c in enumerate(ranking, 1)},
        )
        truth[entry.member_number] = tuple(c.pk for c in ranking)
        if voter in insiders:
            controls.append(Control(entry.member_number, truth[entry.member_number], receipt.tracker))
        _tick(at + dt.timedelta(minutes=1))
    number = {org: org.memberships.get().number for org in (platinum_voter, platinum_other, ruby)}
    scenario = Scenario(
        election=election,
        truth=truth,
        controls=controls,
        platinum=(number[platinum_voter], number[platinum_other]),
        ruby=number[ruby],
        during=Report("unset"),
        logs=caplog,
    )
    scenario.during = scenario.attack("during voting")
    return scenario


def close(scenario: Scenario) -> Election:
    _tick(scenario.election.voting_closes_at)
    scenario.election.refresh_from_db()
    return scenario.election


# --- The real build ----------------------------------------------------------------------------


@pytest.fixture
def played(elections, caplog, settings, monkeypatch):
    return play(elections, caplog, settings, monkeypatch)


def test_during_voting_the_insider_learns_who_voted_and_nothing_of_how(played):
    report = played.during
    print(report.summary(played.truth, exclude=played.control_numbers))
    assert report.tied(played.truth, exclude=played.control_numbers) == {}
    assert report.voted <= set(played.truth), "it knows who voted (the marks), no more"
    assert len(report.sealed_lengths) == 1, "every sealed ballot has the same length"
    assert "the outbox holds one receipts job per cast" not in report.notes


def test_after_the_close_the_insider_ties_nobody_beyond_what_weights_reveal(played):
    election = close(played)
    assert election.state == ElectionState.COUNTED
    report = played.attack("after the close")
    print(report.summary(played.truth, exclude=played.control_numbers))
    assert report.beyond_baseline(played.truth, exclude=played.control_numbers) == {}
    assert report.voted == set(), "no voted mark, receipt row, reminder or log line says who voted"
    # What weighted voting cannot hide, and only that: the only weight-5 member's ballot.
    assert set(report.tied(played.truth, exclude=played.control_numbers)) <= {played.ruby}
    assert report.baseline.get(played.ruby) == played.truth[played.ruby]
    assert played.platinum[0] not in report.tied(played.truth), "1 of 2 Platinum voted: which one is hidden"


# --- The control: a weakened build is caught -------------------------------------------------


@pytest.fixture
def weakened(elections, caplog, settings, monkeypatch):
    weaken(monkeypatch)
    return play(elections, caplog, settings, monkeypatch)


def test_control_the_insider_ties_voters_in_a_weakened_build(weakened):
    during = weakened.during
    print(during.summary(weakened.truth, exclude=weakened.control_numbers))
    assert during.fraction(weakened.truth, exclude=weakened.control_numbers) >= 0.75
    assert "the outbox holds one receipts job per cast" in during.notes
    close(weakened)
    after = weakened.attack("after the close")
    print(after.summary(weakened.truth, exclude=weakened.control_numbers))
    beyond = after.beyond_baseline(weakened.truth, exclude=weakened.control_numbers)
    assert len(beyond) >= 0.75 * (len(weakened.truth) - CONTROLS), "receipt times and row order"
    assert "weights" in beyond[weakened.platinum[0]], "the voted mark picks the Platinum voter"
    assert after.voted >= set(weakened.truth) - weakened.control_numbers


@pytest.mark.parametrize(
    ("defence", "technique"),
    [
        ("seal", ""),  # cleartext ballots during voting: the marks and the weights, rows, xmin
        ("marks", "weights"),  # the voted mark picks the Platinum voter after the close
    ],
)
def test_control_each_defence_alone_stops_a_link(
    elections, caplog, settings, monkeypatch, defence, technique
):
    weaken(monkeypatch, **{d: d == defence for d in ("seal", "receipts", "shuffle", "marks", "vacuum")})
    scenario = play(elections, caplog, settings, monkeypatch)
    if defence == "marks":
        close(scenario)
        report = scenario.attack("after the close")
    else:
        report = scenario.during
    print(report.summary(scenario.truth, exclude=scenario.control_numbers))
    tied = report.beyond_baseline(scenario.truth, exclude=scenario.control_numbers)
    assert any(t.startswith(technique) for techniques in tied.values() for t in techniques), tied


# --- PostgreSQL: raw row versions, committed for real -------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_dead_row_versions_pair_nothing_and_are_vacuumed(elections, caplog, settings, monkeypatch):
    enable_pageinspect()
    scenario = play(elections, caplog, settings, monkeypatch)
    during = scenario.attack("during voting, raw pages", pageinspect=True)
    print(during.summary(scenario.truth, exclude=scenario.control_numbers))
    assert during.tied(scenario.truth, exclude=scenario.control_numbers) == {}
    close(scenario)
    after = scenario.attack("after the close and VACUUM, raw pages", pageinspect=True)
    print(after.summary(scenario.truth, exclude=scenario.control_numbers))
    assert after.beyond_baseline(scenario.truth, exclude=scenario.control_numbers) == {}
    assert after.voted == set(), "no dead row version says who voted once vacuumed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_control_without_sealing_and_vacuum_dead_rows_tie_voters(
    elections, caplog, settings, monkeypatch
):
    enable_pageinspect()
    weaken(monkeypatch, seal=True, receipts=False, shuffle=False, marks=False, vacuum=True)
    scenario = play(elections, caplog, settings, monkeypatch)
    close(scenario)
    after = scenario.attack("after the close, no vacuum, raw pages", pageinspect=True)
    print(after.summary(scenario.truth, exclude=scenario.control_numbers))
    tied = after.beyond_baseline(scenario.truth, exclude=scenario.control_numbers)
    assert sum("xmin" in t for t in tied.values()) >= 0.75 * (len(scenario.truth) - CONTROLS)
    assert after.who_voted["dead row versions"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_control_without_vacuum_dead_rows_say_who_voted(elections, caplog, settings, monkeypatch):
    """Sealed, but not vacuumed: the dead roll versions still say who voted, and with the weights
    that ties the one Platinum sponsor (of two) who voted to the only weight-50 ballot."""
    enable_pageinspect()
    weaken(monkeypatch, seal=False, receipts=False, shuffle=False, marks=False, vacuum=True)
    scenario = play(elections, caplog, settings, monkeypatch)
    close(scenario)
    after = scenario.attack("after the close, no vacuum, raw pages", pageinspect=True)
    print(after.summary(scenario.truth, exclude=scenario.control_numbers))
    assert after.who_voted["dead row versions"] >= set(scenario.truth) - scenario.control_numbers
    beyond = after.beyond_baseline(scenario.truth, exclude=scenario.control_numbers)
    assert set(beyond) == {scenario.platinum[0]} and beyond[scenario.platinum[0]] == {"weights"}
