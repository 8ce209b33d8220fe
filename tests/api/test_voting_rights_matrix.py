"""Who sees what: every voting-rights endpoint times every role (the README's table)."""

from __future__ import annotations

import pytest

from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

FULL, SUMMARY, HIDDEN = "full", "summary", "404"

# subject -> viewer -> what the viewer gets
MATRIX = {
    "listed": {
        "anonymous": SUMMARY,
        "member": SUMMARY,
        "representative": SUMMARY,
        "secretary": FULL,
        "committee_member": FULL,
        "committee_chair": FULL,
        "staff": SUMMARY,
    },
    "hidden": {
        "anonymous": HIDDEN,
        "member": HIDDEN,
        "representative": HIDDEN,
        "secretary": FULL,
        "committee_member": FULL,
        "committee_chair": FULL,
        "staff": HIDDEN,
    },
    "org_person": {
        "anonymous": HIDDEN,
        "member": HIDDEN,
        "representative": SUMMARY,
        "secretary": FULL,
        "committee_member": FULL,
        "committee_chair": FULL,
        "staff": HIDDEN,
    },
    "org": dict.fromkeys(
        [
            "anonymous",
            "member",
            "representative",
            "secretary",
            "committee_member",
            "committee_chair",
            "staff",
        ],
        FULL,
    ),
}
CELLS = [(subject, viewer, expected) for subject, row in MATRIX.items() for viewer, expected in row.items()]


def _url(people, subject):
    membership = getattr(people, subject)
    kind = "organisations" if subject == "org" else "members"
    return f"/api/v1/voting-rights/{kind}/{membership.number}/"


def _assert_answer(response, expected, people, subject):
    membership = getattr(people, subject)
    if expected == HIDDEN:
        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "member_not_found"
        assert set(body) == {"code", "message", "detail"}
        return
    assert response.status_code == 200
    body = response.json()
    assert body["subject"]["number"] == membership.number
    assert body["eligible"] is True
    assert body["weight"] == (15 if subject == "org" else 1)
    assert body["class"]["code"] == membership.class_code
    if expected == FULL:
        assert body["standing"] == "active"
        assert body["reasons"] == []
        assert "name" in body["subject"]
    else:
        assert "standing" not in body
        assert "reasons" not in body
        assert "name" not in body["subject"]
        assert membership.user.full_name not in response.content.decode()
    if membership.user_id:
        assert membership.user.email not in response.content.decode()


@pytest.mark.parametrize(("subject", "viewer", "expected"), CELLS)
def test_voting_rights_visibility(people, subject, viewer, expected):
    response = client_for(people.viewers[viewer]).get(_url(people, subject))
    _assert_answer(response, expected, people, subject)


@pytest.mark.parametrize("subject", ["listed", "hidden", "org_person"])
def test_members_see_their_own_full_answer(people, subject):
    membership = getattr(people, subject)
    response = client_for(membership.user).get(_url(people, subject))
    _assert_answer(response, FULL, people, subject)


def test_an_organisation_admin_sees_its_people_like_the_representative(people):
    admin = people.member_user
    people.org.organisation.admins.add(admin)
    response = client_for(admin).get(_url(people, "org_person"))
    _assert_answer(response, SUMMARY, people, "org_person")


def test_a_hidden_member_and_an_unknown_number_look_the_same(people, api):
    hidden = api.get(_url(people, "hidden"))
    unknown = api.get("/api/v1/voting-rights/members/M-0000-0000/")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()


def test_an_organisation_number_is_not_found_on_the_members_endpoint(people, api):
    response = api.get(f"/api/v1/voting-rights/members/{people.org.number}/")
    assert response.status_code == 404


def test_an_individual_number_is_not_found_on_the_organisations_endpoint(people, api):
    response = api.get(f"/api/v1/voting-rights/organisations/{people.listed.number}/")
    assert response.status_code == 404


@pytest.mark.parametrize("viewer", ["member", "representative", "secretary", "committee_member", "staff"])
def test_me_answers_for_every_signed_in_role(people, viewer):
    response = client_for(people.viewers[viewer]).get("/api/v1/voting-rights/me/")
    assert response.status_code == 200
    assert set(response.json()) == {"member", "organisations"}


def test_me_needs_a_login(api, people):
    response = api.get("/api/v1/voting-rights/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
