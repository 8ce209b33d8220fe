"""Closing, quorum and extensions, counting, disputes and certification, published files."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from core.errors import Conflict, NotAllowed
from core.models import AuditEntry, OutgoingEmail
from elections.counting import seed_order
from elections.models import ElectionState
from elections.services.ballots import ballot_cast, election_close_voting
from elections.services.nominations import candidate_withdraw
from elections.services.results import (
    dispute_decide,
    dispute_file,
    election_certify,
    election_recount,
    export_blt,
    tracker_codes,
)
from governance.models import SeatHolding
from tests.elections.conftest import entry_for
from tests.factories import OrganisationFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _cast(election, user, order):
    return ballot_cast(
        election=election,
        voter=user,
        roll_entry_id=entry_for(election, user).pk,
        ranks={c.pk: i for i, c in enumerate(order, 1)},
    )


def test_missing_quorum_extends_voting_by_the_rule_set_step_and_tells_members(elections, run_jobs):
    election, _, (voter, *_) = elections.voting(candidates=["Ada"])
    closes = election.voting_closes_at
    election = elections.close(election)
    assert election.state == ElectionState.EXTENDED and election.extensions == 1
    assert election.voting_closes_at == closes + dt.timedelta(days=7)
    run_jobs()
    assert OutgoingEmail.objects.filter(to=voter.email, subject__contains="extended").exists()


def test_after_the_last_extension_the_election_fails_publicly(elections):
    election, _, _ = elections.voting(candidates=["Ada"])
    for _ in range(3):
        election = elections.close(election)
    assert election.state == ElectionState.FAILED and election.extensions == 2
    assert "Quorum was not reached" in election.public_report


def test_closing_counts_with_the_elections_method_and_writes_one_summary_entry(elections):
    election, (ada, bob, cy), (v1, v2, v3) = elections.voting(candidates=["Ada", "Bob", "Cy"])
    _cast(election, v1, [bob, ada])
    _cast(election, v2, [bob])
    _cast(election, v3, [cy, bob])
    election = elections.close(election)
    assert election.state == ElectionState.COUNTED
    assert election.result["elected"] == ["Bob"]
    assert election.result["method"] == "meek"
    closed = AuditEntry.objects.get(action="election.voting_closed")
    assert closed.data["ballots"] == 3 and closed.data["voted_rows"] == 3


def test_ties_use_the_published_seed_order(elections):
    election, (ada, bob), (v1, v2, _) = elections.voting(candidates=["Ada", "Bob"], method="plurality")
    ballot_cast(election=election, voter=v1, roll_entry_id=entry_for(election, v1).pk, marks=[ada.pk])
    ballot_cast(election=election, voter=v2, roll_entry_id=entry_for(election, v2).pk, marks=[bob.pk])
    election = elections.close(election)
    assert election.result["tie_order"] == seed_order(["Ada", "Bob"], election.tie_seed)
    assert election.result["elected"] == [election.result["tie_order"][0]]


def test_a_candidate_who_withdraws_after_ballots_are_cast_is_skipped(elections):
    election, (ada, bob, cy), (v1, v2, v3) = elections.voting(candidates=["Ada", "Bob", "Cy"])
    _cast(election, v1, [ada, cy])
    _cast(election, v2, [ada, cy])
    _cast(election, v3, [bob])
    candidate_withdraw(candidate=ada, actor=ada.person)
    election = elections.close(election)
    assert election.result["elected"] == ["Cy"]
    assert any("Withdrawn" in note for note in election.result["notes"])


def test_fewer_candidates_than_seats_elects_them_and_leaves_the_rest_vacant(elections):
    election, (ada,), (v1, *_) = elections.voting(candidates=["Ada"], seats=2)
    _cast(election, v1, [ada])
    election = elections.close(election)
    assert election.result["elected"] == ["Ada"]
    assert any("stay vacant" in note for note in election.result["notes"])


def test_the_anti_capture_rule_applies_inside_the_count(elections):
    election = elections.create(seats=2, method="scottish")
    elections.open_nominations(election)
    corp = OrganisationFactory(corporate_group="MegaCorp")
    ada = elections.stand(election, name="Ada", employer=corp)
    bob = elections.stand(election, name="Bob", proposed_employer="megacorp")
    cy = elections.stand(election, name="Cy")
    voters = [elections.member() for _ in range(5)]
    election = elections.open_voting(election)
    for v in voters[:3]:
        _cast(election, v, [ada, bob])
    for v in voters[3:]:
        _cast(election, v, [bob, cy])
    election = elections.close(election)
    assert set(election.result["elected"]) == {"Cy"} | ({"Ada", "Bob"} & set(election.result["elected"]))
    assert len({"Ada", "Bob"} & set(election.result["elected"])) == 1


def _counted(elections):
    election, (ada, bob), (v1, v2, v3) = elections.voting(candidates=["Ada", "Bob"])
    _cast(election, v1, [ada])
    _cast(election, v2, [ada, bob])
    _cast(election, v3, [bob])
    return elections.close(election), ada


def test_the_committee_chair_certifies_and_the_elected_take_their_seats(elections):
    election, ada = _counted(elections)
    chair = RoleFactory(role="election_committee_chair").user
    election = election_certify(election=election, actor=chair)
    assert election.state == ElectionState.CERTIFIED
    holding = SeatHolding.objects.get(person=ada.person)
    assert holding.seat in election.seats.all() and holding.source == "election"


def test_only_the_chair_certifies(elections):
    election, _ = _counted(elections)
    member = RoleFactory(role="election_committee").user
    with pytest.raises(NotAllowed) as exc:
        election_certify(election=election, actor=member)
    assert exc.value.code == "not_chair"
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTED


def test_a_superuser_acts_as_the_chair_and_certifies(elections, admin_user):
    election, _ = _counted(elections)
    assert election_certify(election=election, actor=admin_user).state == ElectionState.CERTIFIED


def test_only_the_chair_decides_a_dispute(elections):
    election, _ = _counted(elections)
    dispute = dispute_file(election=election, body="My ballot was not counted.", actor=elections.member())
    member = RoleFactory(role="election_committee").user
    with pytest.raises(NotAllowed) as exc:
        dispute_decide(dispute=dispute, upheld=True, reason="Looks right.", actor=member)
    assert exc.value.code == "not_chair"
    dispute.refresh_from_db()
    assert dispute.state == dispute.State.OPEN


@pytest.mark.parametrize("role", [None, "election_observer"])
def test_only_the_committee_recounts(elections, role, run_jobs):
    election, _ = _counted(elections)
    person = RoleFactory(role=role).user if role else elections.member()
    with pytest.raises(NotAllowed) as exc:
        election_recount(election=election, actor=person)
    assert exc.value.code == "not_committee"
    assert AuditEntry.objects.filter(action="election.counted").count() == 1
    committee = RoleFactory(role="election_committee").user
    assert election_recount(election=election, actor=committee).state == ElectionState.COUNTING
    run_jobs()
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTED
    assert AuditEntry.objects.filter(action="election.counted").count() == 2
    assert election.result["package"]["version"] == 2


def test_a_person_closing_voting_must_be_on_the_committee_but_the_schedule_may(elections, clock):
    election, _, (voter, *_) = elections.voting(candidates=["Ada"])
    clock.set(election.voting_closes_at)
    with pytest.raises(NotAllowed) as exc:
        election_close_voting(election=election, actor=voter)
    assert exc.value.code == "not_committee"
    election.refresh_from_db()
    assert election.state == ElectionState.VOTING
    assert election_close_voting(election=election, actor=None).state == ElectionState.EXTENDED


def test_open_disputes_block_certification_until_the_chair_decides(elections):
    election, _ = _counted(elections)
    filer = elections.member()
    chair = RoleFactory(role="election_committee_chair").user
    dispute = dispute_file(election=election, body="My ballot was not counted.", actor=filer)
    with pytest.raises(Conflict) as exc:
        election_certify(election=election, actor=chair)
    assert exc.value.code == "open_disputes"
    dispute_decide(dispute=dispute, upheld=False, reason="The tracker is in the list.", actor=chair)
    assert election_certify(election=election, actor=chair).state == ElectionState.CERTIFIED


def test_trackers_are_published_sorted_after_the_close(elections):
    election, (ada,), (v1, v2, _) = elections.voting(candidates=["Ada"])
    codes = [_cast(election, v, [ada]).tracker for v in (v1, v2)]
    election = elections.close(election)
    assert tracker_codes(election=election) == sorted(codes)


def test_the_published_blt_recounts_to_the_same_result(elections, tmp_path):
    election, _ = _counted(elections)
    path = tmp_path / "ballots.blt"
    path.write_text(export_blt(election=election))
    out = StringIO()
    call_command(
        "count_ballots",
        str(path),
        "--method",
        "meek",
        "--seats",
        "1",
        "--tie-seed",
        election.tie_seed,
        stdout=out,
    )
    assert json.loads(out.getvalue())["elected"] == election.result["elected"]


def test_a_cohort_election_seats_the_elected_when_the_cohorts_term_ends(elections):
    seat = elections.seats(1)[0]
    election = elections.create(cohort=seat.cohort, seats=[seat])
    elections.open_nominations(election)
    ada = elections.stand(election, name="Ada")
    voter = elections.member()
    election = elections.open_voting(election)
    _cast(election, voter, [ada])
    election = elections.close(election)
    chair = RoleFactory(role="election_committee_chair").user
    election = election_certify(election=election, actor=chair)
    cohort = seat.cohort
    cohort.refresh_from_db()
    assert election.seats_filled_at is None and not SeatHolding.objects.filter(person=ada.person).exists()
    old_end = cohort.term_end
    elections.goto(dt.datetime.combine(old_end, dt.time.min, tzinfo=dt.UTC))
    holding = SeatHolding.objects.get(person=ada.person)
    assert holding.seat == seat and holding.term_start == old_end
