"""Elections over the API: the election with its roll fingerprint and totals, candidates
with their nominators, results with rounds, tracker lookup, and ``?election=`` rights."""

from __future__ import annotations

import pytest

from core.models import User
from tests.api.conftest import client_for
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "representative", "secretary", "committee_member", "committee_chair", "staff"]


def _viewer(role):
    if role == "anonymous":
        return None
    if role == "member":
        return make_member().user
    if role == "representative":
        return make_member(organisation=OrganisationFactory(), class_code="gold").organisation.representative
    if role == "staff":
        return RoleFactory(role="staff", user=UserFactory(is_staff=True)).user
    roles = {
        "secretary": "secretary",
        "committee_member": "election_committee",
        "committee_chair": "election_committee_chair",
    }
    return RoleFactory(role=roles[role]).user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["", "{id}/", "{id}/candidates/", "{id}/results/", "{id}/trackers/{code}/"])
def test_election_endpoints_are_public_for_every_role_and_leak_no_email(counted, role, path):
    election, codes, _voters = counted
    url = "/api/v1/elections/" + path.format(id=election.slug, code=codes[0])
    response = client_for(_viewer(role)).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert not [e for e in User.objects.values_list("email", flat=True) if e in body]


def test_the_election_publishes_its_roll_fingerprint_and_totals(counted, api):
    election, _codes, _voters = counted
    body = api.get(f"/api/v1/elections/{election.slug}/").json()
    assert body["roll"]["fingerprint"] == election.roll_fingerprint and len(body["roll"]["fingerprint"]) == 64
    assert body["roll"]["rows"] == election.roll_rows
    assert body["roll"]["weight"] == election.roll_weight
    assert body["turnout"]["voted_rows"] == 3


def test_candidates_are_listed_with_their_nominators(elections, api):
    election, (ada,), _ = elections.voting(candidates=["Ada"])
    body = api.get(f"/api/v1/elections/{election.slug}/candidates/").json()
    nomination = ada.nominations.select_related("nominator").get()
    assert [c["name"] for c in body] == ["Ada"]
    assert body[0]["nominators"] == [
        {"number": nomination.nominator.number, "name": nomination.nominator.user.full_name}
    ]


def test_results_carry_every_round(counted, api):
    election, _codes, _voters = counted
    body = api.get(f"/api/v1/elections/{election.slug}/results/").json()
    assert body["elected"] == ["Bob"]
    assert body["method"] == "meek"
    assert len(body["rounds"]) >= 1 and "votes" in body["rounds"][0]


def test_results_are_a_404_until_counted(elections, api):
    election, _, _ = elections.voting(candidates=["Ada"])
    response = api.get(f"/api/v1/elections/{election.slug}/results/")
    assert response.status_code == 404
    assert response.json()["code"] == "results_not_published"


def test_a_tracker_code_is_found_after_the_close(counted, api):
    election, codes, _voters = counted
    body = api.get(f"/api/v1/elections/{election.slug}/trackers/{codes[1].lower()}/").json()
    assert body == {"election": election.slug, "code": codes[1], "found": True}


def test_an_unknown_tracker_code_is_not_found(counted, api):
    election, _codes, _voters = counted
    body = api.get(f"/api/v1/elections/{election.slug}/trackers/AAAA-AAAA-AAAA-AAAA/").json()
    assert body["found"] is False


def test_trackers_are_a_404_while_voting(elections, api):
    election, _, _ = elections.voting(candidates=["Ada"])
    response = api.get(f"/api/v1/elections/{election.slug}/trackers/AAAA-AAAA-AAAA-AAAA/")
    assert response.status_code == 404
    assert response.json()["code"] == "trackers_not_published"


def test_an_unknown_election_is_a_404(api, db):
    assert api.get("/api/v1/elections/nope/").json()["code"] == "election_not_found"


def test_elections_filter_by_state(counted, api):
    assert len(api.get("/api/v1/elections/", {"state": "counted"}).json()["results"]) == 1
    assert api.get("/api/v1/elections/", {"state": "voting"}).json()["results"] == []


# --- ?election=: rights as frozen on the roll ------------------------------------------------


def test_election_answers_with_the_frozen_roll(elections, clock):
    election, _, (voter, *_rest) = elections.voting(candidates=["Ada"])
    membership = voter.memberships.get()
    body = (
        client_for(voter)
        .get(f"/api/v1/voting-rights/members/{membership.number}/", {"election": election.slug})
        .json()
    )
    assert (body["eligible"], body["weight"], body["election"]) == (True, 1, election.slug)
    assert body["as_of"].startswith(election.record_date.strftime("%Y-%m-%dT%H:%M"))


def test_a_member_who_joined_after_the_record_date_is_not_on_the_roll(elections, clock):
    election, _, _ = elections.voting(candidates=["Ada"])
    late = make_member()
    body = (
        client_for(late.user)
        .get(f"/api/v1/voting-rights/members/{late.number}/", {"election": election.slug})
        .json()
    )
    assert body["eligible"] is False and body["weight"] == 0
    assert body["reasons"][0]["code"] in {"not_a_member", "not_on_roll"}
    now = client_for(late.user).get(f"/api/v1/voting-rights/members/{late.number}/").json()
    assert now["eligible"] is True


def test_election_before_the_roll_is_frozen_is_a_400(elections, clock):
    election = elections.create()
    membership = make_member()
    response = client_for(membership.user).get(
        f"/api/v1/voting-rights/members/{membership.number}/", {"election": election.slug}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "roll_not_frozen"


def test_election_and_at_together_are_a_400(elections, clock):
    election, _, (voter, *_rest) = elections.voting(candidates=["Ada"])
    number = voter.memberships.get().number
    response = client_for(voter).get(
        f"/api/v1/voting-rights/members/{number}/", {"election": election.slug, "at": "2026-01-01T00:00:00Z"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "at_and_election"


def test_an_unknown_election_on_voting_rights_is_a_404(clock):
    membership = make_member()
    response = client_for(membership.user).get(
        f"/api/v1/voting-rights/members/{membership.number}/", {"election": "nope"}
    )
    assert response.status_code == 404
    assert response.json()["code"] == "election_not_found"


def test_a_nominator_who_chose_a_display_name_is_shown_by_it(elections, api):
    election, (ada,), _ = elections.voting(candidates=["Ada"])
    nominator = ada.nominations.select_related("nominator__user").get().nominator
    nominator.user.display_name = "Nom de Plume"
    nominator.user.save(update_fields=["display_name"])
    body = api.get(f"/api/v1/elections/{election.slug}/candidates/").json()
    assert body[0]["nominators"] == [{"number": nominator.number, "name": "Nom de Plume"}]
