"""Issue 18, items 2 and 3 in elections: the group rule in the count, the employer kept when
seated, and term limits checked at nomination, acceptance and in the count, so certification
is never refused by a rule that could have been checked earlier."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict
from core.outbox import run_pending_inline
from elections.models import Candidate, ElectionState
from elections.services.ballots import ballot_cast
from elections.services.nominations import candidate_accept, nomination_create
from elections.services.results import election_certify, election_recount
from governance.models import HoldingSource, Seat, SeatHolding
from members.models import CorporateGroup
from tests.elections.conftest import entry_for
from tests.factories import CorporateGroupFactory, OrganisationFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _cast(election, user, order):
    ballot_cast(
        election=election,
        voter=user,
        roll_entry_id=entry_for(election, user).pk,
        ranks={c.pk: i for i, c in enumerate(order, 1)},
    )


def _chair():
    return RoleFactory(role="election_committee_chair").user


def _two_full_terms(person, seat: Seat) -> None:
    """``person`` held ``seat`` for the two terms that ended at the start of this year."""
    for start, end in (
        (dt.date(2018, 1, 1), dt.date(2022, 1, 1)),
        (dt.date(2022, 1, 1), dt.date(2026, 1, 1)),
    ):
        SeatHolding.objects.create(
            seat=seat,
            person=person,
            independent=True,
            source=HoldingSource.ELECTION,
            term_start=start,
            term_end=end,
            starts_at=dt.datetime.combine(start, dt.time(12), tzinfo=dt.UTC),
            ends_at=dt.datetime.combine(end, dt.time(0), tzinfo=dt.UTC),
            end_reason="term_ended",
        )


# --- The group rule in the count, and the employer kept when seated ---------------------------------


def test_two_spellings_of_one_employer_are_not_both_elected(elections):
    election = elections.create(seats=2, method="scottish")
    elections.open_nominations(election)
    acme = OrganisationFactory(
        legal_name="Acme", corporate_group=CorporateGroupFactory(name="Acme", confirmed=False)
    )
    ada = elections.stand(election, name="Ada", employer=acme)
    bob = elections.stand(election, name="Bob", proposed_employer="ACME Inc.")
    cy = elections.stand(election, name="Cy")
    voters = [elections.member() for _ in range(5)]
    election = elections.open_voting(election)
    for v in voters[:3]:
        _cast(election, v, [ada, bob])
    for v in voters[3:]:
        _cast(election, v, [bob, ada, cy])
    election = elections.close(election)
    assert len({"Ada", "Bob"} & set(election.result["elected"])) == 1
    assert "Cy" in election.result["elected"]


def test_the_seated_director_keeps_the_employer_declared_as_a_candidate(elections, client):
    election = elections.create()
    elections.open_nominations(election)
    ada = elections.stand(election, name="Ada", proposed_employer="Globex Corporation")
    globex = CorporateGroup.objects.get(name="Globex Corporation")
    assert (ada.employer_group, ada.employer_name, ada.independent) == (globex, "Globex Corporation", False)
    voter = elections.member()
    election = elections.open_voting(election)
    _cast(election, voter, [ada])
    election = elections.close(election)
    election_certify(election=election, actor=_chair())
    holding = SeatHolding.objects.get(person=ada.person)
    assert (holding.employer_group, holding.employer_name) == (globex, "Globex Corporation")
    assert "Globex Corporation" in client.get("/governance/board/").content.decode()


# --- Term limits -------------------------------------------------------------------------------------


def test_someone_at_the_term_limit_cannot_be_nominated_and_is_told_why(elections):
    election = elections.create()
    elections.open_nominations(election)
    veteran, nominator = elections.member(name="Val Veteran"), elections.member()
    _two_full_terms(veteran, elections.seats(1)[0])
    with pytest.raises(Conflict) as error:
        nomination_create(
            election=election, nominator=nominator.memberships.get(), nominee=veteran, actor=nominator
        )
    assert error.value.code == "nominee_term_limit"
    assert "Val Veteran cannot stand in this election" in error.value.message
    assert "2 consecutive terms" in error.value.message
    assert not Candidate.objects.exists()


def test_acceptance_checks_the_term_limit_again(elections):
    election = elections.create()
    elections.open_nominations(election)
    person, nominator = elections.member(), elections.member()
    nomination_create(
        election=election, nominator=nominator.memberships.get(), nominee=person, actor=nominator
    )
    _two_full_terms(person, elections.seats(1)[0])  # recorded after the nomination
    candidate = Candidate.objects.get(person=person)
    with pytest.raises(Conflict) as error:
        candidate_accept(
            candidate=candidate, statement="I will serve.", employer=None, independent=True, actor=person
        )
    assert error.value.code == "nominee_term_limit"
    candidate.refresh_from_db()
    assert not candidate.stands


def test_the_count_leaves_out_a_candidate_who_became_ineligible_and_certification_goes_through(elections):
    election, (ada, bob), (v1, v2, v3) = elections.voting(candidates=["Ada", "Bob"])
    for voter in (v1, v2):
        _cast(election, voter, [ada, bob])
    _cast(election, v3, [bob])
    _two_full_terms(ada.person, elections.seats(1)[0])
    election = elections.close(election)
    assert election.result["elected"] == ["Bob"]
    assert any("Ada cannot stand in this election" in note for note in election.result["notes"])
    election = election_certify(election=election, actor=_chair())
    assert election.state == ElectionState.CERTIFIED
    assert SeatHolding.objects.active().filter(person=bob.person).exists()


def test_certification_asks_for_a_recount_when_the_elected_became_ineligible_after_the_count(elections):
    election, (ada, bob), (v1, v2, v3) = elections.voting(candidates=["Ada", "Bob"])
    for voter in (v1, v2):
        _cast(election, voter, [ada, bob])
    _cast(election, v3, [bob])
    election = elections.close(election)
    assert election.result["elected"] == ["Ada"]
    _two_full_terms(ada.person, elections.seats(1)[0])
    chair = _chair()
    with pytest.raises(Conflict) as error:
        election_certify(election=election, actor=chair)
    assert error.value.code == "recount_needed"
    election = election_recount(election=election, actor=chair)
    assert election.state == ElectionState.COUNTING  # the recount is the count job again
    run_pending_inline()
    election.refresh_from_db()
    assert election.result["elected"] == ["Bob"]
    assert election_certify(election=election, actor=chair).state == ElectionState.CERTIFIED
