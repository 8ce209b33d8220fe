"""Bad input to the ballot, the scheduling form and disputes: a 4xx with the reason, nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from core.errors import ValidationFailed
from elections.models import Dispute, Election
from elections.services.lifecycle import election_create
from elections.services.nominations import candidate_withdraw
from elections.services.results import DISPUTE_MAX_CHARS, DISPUTE_MAX_OPEN, dispute_file
from tests.auth import sign_in
from tests.elections.conftest import entry_for, opened_ballots
from tests.factories import RoleFactory


def _only(ballots):
    (ballot,) = ballots
    return ballot


pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.fixture
def voting(elections):
    return elections.voting(candidates=["Ada", "Bob", "Cy"], voters=3)


def _ballot(client, election, data, *, action="cast"):
    """Post the ballot straight to the cast (the step that must check everything again)."""
    return client.post(reverse("elections:ballot", args=[election.slug]), {"action": action, **data})


# --- The ballot ---------------------------------------------------------------------------


@pytest.mark.parametrize("entry", [None, "", "abc", "-1", "0", HUGE, "1e5", "1\x00"])
def test_someone_not_on_the_roll_gets_a_404_whatever_the_entry(client, elections, voting, entry):
    election, (ada, *_), _ = voting
    outsider = elections.member()
    election.roll.filter(voter=outsider).delete()  # joined after the record date
    client.force_login(outsider)
    data = {f"rank-{ada.pk}": "1"} | ({} if entry is None else {"entry": entry})
    response = _ballot(client, election, data)
    assert response.status_code == 404
    assert not opened_ballots(election)


@pytest.mark.parametrize("entry", ["abc", HUGE, "-1"])
def test_a_voter_posting_a_malformed_entry_is_refused(client, voting, entry):
    election, (ada, *_), (voter, *_) = voting
    client.force_login(voter)
    assert _ballot(client, election, {"entry": entry, f"rank-{ada.pk}": "1"}).status_code == 404
    assert not opened_ballots(election)
    assert not entry_for(election, voter).has_voted


def test_a_rank_for_no_candidate_is_refused_not_recorded_as_blank(client, voting):
    election, _, (voter, *_) = voting
    client.force_login(voter)
    response = _ballot(client, election, {"entry": str(entry_for(election, voter).pk), "rank-9999": "1"})
    assert response.status_code == 400
    assert "not a standing candidate" in response.content.decode()
    assert not opened_ballots(election)
    assert not entry_for(election, voter).has_voted


def test_a_rank_for_an_unknown_candidate_beside_valid_ranks_is_refused(client, voting):
    election, (ada, *_), (voter, *_) = voting
    client.force_login(voter)
    response = _ballot(
        client,
        election,
        {"entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1", f"rank-{HUGE}": "2"},
    )
    assert response.status_code == 400
    assert not opened_ballots(election)


def test_a_rank_for_a_withdrawn_candidate_is_refused(client, voting):
    election, (ada, bob, _), (voter, *_) = voting
    candidate_withdraw(candidate=bob, actor=bob.person)
    client.force_login(voter)
    response = _ballot(
        client,
        election,
        {"entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1", f"rank-{bob.pk}": "2"},
    )
    assert response.status_code == 400
    assert not opened_ballots(election)


def test_marks_on_a_ranked_ballot_are_refused(client, voting):
    election, (ada, *_), (voter, *_) = voting
    client.force_login(voter)
    response = _ballot(client, election, {"entry": str(entry_for(election, voter).pk), "mark": str(ada.pk)})
    assert response.status_code == 400
    assert "ranked ballots" in response.content.decode()
    assert not opened_ballots(election)


def test_ranks_on_an_approval_ballot_are_refused(client, elections):
    election, (ada, _), (voter, *_) = elections.voting(
        candidates=["Ada", "Bob"], method="approval", approval_max_marks=2
    )
    client.force_login(voter)
    response = _ballot(client, election, {"entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1"})
    assert response.status_code == 400
    assert not opened_ballots(election)


def test_an_empty_rank_field_of_a_candidate_no_longer_standing_is_harmless(client, voting):
    """A page opened before a withdrawal posts the withdrawn candidate's field empty."""
    election, (ada, bob, _), (voter, *_) = voting
    candidate_withdraw(candidate=bob, actor=bob.person)
    client.force_login(voter)
    response = _ballot(
        client,
        election,
        {"entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1", f"rank-{bob.pk}": ""},
    )
    assert response.status_code == 200
    assert _only(opened_ballots(election))[0] == [ada.pk]


# --- Scheduling an election ---------------------------------------------------------------


def _committee(client):
    user = RoleFactory(role="election_committee").user
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return user


def _schedule_data(elections, clock, **changes):
    seat = elections.seats(1)[0]
    opens = clock.now() + dt.timedelta(days=60)
    data = {
        "title": "Board 2027",
        "slug": "board-2027",
        "method": "meek",
        "seats": [seat.pk],
        "record_date": (opens - dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
        "voting_opens_at": opens.strftime("%Y-%m-%d %H:%M"),
        "voting_closes_at": (opens + dt.timedelta(days=14)).strftime("%Y-%m-%d %H:%M"),
    }
    return data | changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"record_date": "0001-01-01 00:00"}, "record_date"),
        ({"voting_opens_at": "0001-01-01 00:00"}, "voting_opens_at"),
        ({"voting_closes_at": "9999-12-31 23:59"}, "voting_closes_at"),
        ({"method": "approval", "approval_max_marks": HUGE}, "approval_max_marks"),
        ({"approval_max_marks": "-1"}, "approval_max_marks"),
        ({"seats": [HUGE]}, "seats"),
        ({"seats": ["-1"]}, "seats"),
    ],
)
def test_scheduling_with_out_of_range_values_gives_form_errors(client, elections, clock, changes, field):
    _committee(client)
    response = client.post(reverse("elections_manage:index"), _schedule_data(elections, clock, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Election.objects.exists()


def test_the_service_refuses_a_date_in_year_one_too(elections, clock):
    with pytest.raises(ValidationFailed) as exc:
        election_create(
            slug="x",
            title="x",
            seats=elections.seats(1),
            method="meek",
            record_date=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
            voting_opens_at=dt.datetime(1, 1, 2, tzinfo=dt.UTC),
            voting_closes_at=clock.now() + dt.timedelta(days=90),
        )
    assert exc.value.code == "date_out_of_range"
    assert not Election.objects.exists()


# --- Disputes -------------------------------------------------------------------------------


def test_a_dispute_longer_than_the_limit_is_a_form_error(client, voting):
    election, _, (voter, *_) = voting
    client.force_login(voter)
    response = client.post(
        reverse("elections:dispute", args=[election.slug]), {"body": "x" * (DISPUTE_MAX_CHARS + 1)}
    )
    assert response.status_code == 400
    assert "at most 10000 characters" in response.content.decode() or "10,000" in response.content.decode()
    assert not Dispute.objects.exists()


def test_the_service_refuses_a_dispute_longer_than_the_limit(voting):
    election, _, (voter, *_) = voting
    with pytest.raises(ValidationFailed) as exc:
        dispute_file(election=election, body="x" * (DISPUTE_MAX_CHARS + 1), actor=voter)
    assert exc.value.code == "body_too_long"
    assert not Dispute.objects.exists()


def test_a_member_has_at_most_three_open_disputes_per_election(client, voting):
    election, _, (voter, other, _) = voting
    assert DISPUTE_MAX_OPEN == 3
    for i in range(DISPUTE_MAX_OPEN):
        dispute_file(election=election, body=f"Problem {i}", actor=voter)
    client.force_login(voter)
    response = client.post(reverse("elections:dispute", args=[election.slug]), {"body": "One more."})
    assert response.status_code == 400
    assert "open disputes" in response.content.decode()
    assert Dispute.objects.count() == DISPUTE_MAX_OPEN
    dispute_file(election=election, body="Mine.", actor=other)  # another member still can


def test_a_decided_dispute_no_longer_counts_against_the_limit(voting):
    election, _, (voter, *_) = voting
    disputes = [dispute_file(election=election, body=f"Problem {i}", actor=voter) for i in range(3)]
    Dispute.objects.filter(pk=disputes[0].pk).update(state=Dispute.State.REJECTED)
    dispute_file(election=election, body="Another.", actor=voter)
    assert Dispute.objects.filter(state=Dispute.State.OPEN).count() == 3
