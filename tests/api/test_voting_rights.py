"""The voting-rights answer: contents, ``?at``, the caller's own rights, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.decisions import DecisionRef
from members.models import MembershipEvent, MembershipState
from members.services.transitions import membership_transition
from tests.api.conftest import client_for
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def _member_url(membership):
    return f"/api/v1/voting-rights/members/{membership.number}/"


def test_a_suspended_member_sees_why_they_cannot_vote(clock):
    membership = make_member()
    clock.advance(days=10)
    membership_transition(
        membership=membership,
        to_state=MembershipState.SUSPENDED,
        kind="suspended",
        reason="Spam",
        decision=DecisionRef(number=7, reference="R-0007", title="Suspend a member", adopted=True),
    )
    body = client_for(membership.user).get(_member_url(membership)).json()
    assert body["eligible"] is False
    assert body["weight"] == 0
    assert body["standing"] == "suspended"
    assert [r["code"] for r in body["reasons"]] == ["suspended"]
    assert "R-0007" in body["reasons"][0]["message"]
    assert body["reasons"][0]["since"].startswith("2026-06-11")


def test_the_answer_names_the_rule_set_version_and_moment(clock):
    membership = make_member()
    body = client_for(membership.user).get(_member_url(membership)).json()
    assert body["rule_set_version"] == 1
    assert body["as_of"] == "2026-06-01T12:00:00Z"


def test_at_answers_for_a_past_moment(clock):
    membership = make_member()
    clock.advance(days=400)  # the year's term ended and the grace period is over
    now = client_for(membership.user).get(_member_url(membership)).json()
    then = client_for(membership.user).get(_member_url(membership), {"at": "2026-07-01T00:00:00Z"}).json()
    assert (now["eligible"], now["standing"]) == (False, "lapsed")
    assert (then["eligible"], then["standing"]) == (True, "active")
    assert then["as_of"] == "2026-07-01T00:00:00Z"


def test_at_without_an_offset_is_utc(clock):
    membership = make_member()
    body = client_for(membership.user).get(_member_url(membership), {"at": "2026-07-01T10:00:00"}).json()
    assert body["as_of"] == "2026-07-01T10:00:00Z"


@pytest.mark.parametrize(
    "bad", ["yesterday", "2026-13-01T00:00:00Z", "2026-06-01T25:00", "0001-01-01T00:00:00+05:00"]
)
def test_a_bad_at_is_a_400_with_a_clear_message(clock, bad):
    membership = make_member()
    response = client_for(membership.user).get(_member_url(membership), {"at": bad})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_at"
    assert "ISO 8601" in body["message"]


def test_at_before_any_rule_set_is_a_404_saying_so(clock):
    membership = make_member()
    response = client_for(membership.user).get(_member_url(membership), {"at": "1990-01-01T00:00:00Z"})
    assert response.status_code == 404
    assert response.json()["code"] == "no_rule_set"


def test_me_lists_own_rights_and_every_represented_organisation(clock):
    user = UserFactory(full_name="Rita")
    own = make_member(user=user)
    acme = make_member(organisation=OrganisationFactory(representative=user), class_code="gold")
    globex = make_member(organisation=OrganisationFactory(representative=UserFactory()), class_code="silver")
    globex.organisation.admins.add(user)
    make_member(organisation=OrganisationFactory(), class_code="ruby")  # not theirs
    body = client_for(user).get("/api/v1/voting-rights/me/").json()
    assert body["member"]["subject"]["number"] == own.number
    assert body["member"]["standing"] == "active"
    assert sorted(o["subject"]["number"] for o in body["organisations"]) == sorted(
        [acme.number, globex.number]
    )
    assert {o["weight"] for o in body["organisations"]} == {15, 5}


def test_me_without_a_membership_has_a_null_member(clock):
    body = client_for(UserFactory()).get("/api/v1/voting-rights/me/").json()
    assert body == {"member": None, "organisations": []}


def test_answers_are_never_cached_by_shared_caches(clock):
    membership = make_member(in_directory=True)
    response = client_for(None).get(_member_url(membership))
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


# --- A constant number of queries whatever the history's length -----------------------------


def _with_history(rows: int):
    membership = make_member(user=UserFactory(full_name="Long History"), in_directory=True, start=None)
    start = membership.events.get().at
    MembershipEvent.objects.bulk_create(
        MembershipEvent(
            membership=membership,
            at=start - dt.timedelta(days=rows - i),
            kind="renewed",
            state=MembershipState.ACTIVE if i % 2 else MembershipState.GRACE,
            class_code="individual",
            member_since=start - dt.timedelta(days=rows),
            expires_at=start + dt.timedelta(days=365),
        )
        for i in range(rows - 1)
    )
    assert membership.events.count() == rows
    return membership


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["eligible"] is True
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["anonymous", "committee"])
def test_member_rights_use_the_same_queries_for_1_and_500_history_rows(clock, viewer):
    from core.models import Role
    from tests.factories import RoleFactory

    user = RoleFactory(role=Role.MEMBERSHIP_COMMITTEE).user if viewer == "committee" else None
    short, long = _with_history(1), _with_history(500)
    client = client_for(user)
    client.get(_member_url(short))  # warm the session
    short_queries, long_queries = _queries(client, _member_url(short)), _queries(client, _member_url(long))
    assert 3 <= short_queries == long_queries <= 8
