"""The voting-rights answer: contents, ``?at``, the caller's own rights, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.decisions import DecisionRef
from members.models import MembershipEvent, MembershipState
from members.services.transitions import membership_apply_schedule, membership_transition
from members.standing import refresh_standings
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
    refresh_standings([membership.pk])
    assert membership.events.count() == rows
    return membership


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["eligible"] is True
    return len(ctx.captured_queries)


# Queries per request, everything included (session or token, permissions, the answer): the
# answer itself is one query (membership, latest snapshot and the rule set in force, joined);
# the rule set and its classes come from the per-version cache after the first request; the
# signed answer reads the active signing key only every ``core.jws.KEY_RECHECK_SECONDS``.
@pytest.mark.parametrize(
    ("viewer", "total"), [("anonymous", 1), ("committee", 4), ("token", 3), ("token-jws", 3)]
)
def test_member_rights_use_the_same_queries_for_1_and_500_history_rows(
    clock, viewer, total, django_assert_num_queries
):
    from core.models import Role
    from tests.api.conftest import token_for
    from tests.factories import RoleFactory

    user = RoleFactory(role=Role.MEMBERSHIP_COMMITTEE).user if viewer != "anonymous" else None
    short, long = _with_history(1), _with_history(500)
    client = client_for(user if viewer == "committee" else None)
    if viewer.startswith("token"):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    suffix = "?format=jws" if viewer == "token-jws" else ""
    client.get(_member_url(short) + suffix)  # warm the session, the signing key and the rule-set cache
    for membership in (short, long):
        with django_assert_num_queries(total):
            response = client.get(_member_url(membership) + suffix)
        assert response.status_code == 200
        if not suffix:
            assert response.json()["eligible"] is True


def test_a_moment_before_the_latest_event_reads_the_history(clock, django_assert_num_queries):
    membership = make_member(organisation=OrganisationFactory(), class_code="gold")  # public answer
    url = f"/api/v1/voting-rights/organisations/{membership.number}/"
    clock.advance(days=400)
    membership_apply_schedule()  # history: grace, then lapsed; active a year ago
    client = client_for(None)
    client.get(url)
    with django_assert_num_queries(2):  # the membership query, then its history at that moment
        then = client.get(url, {"at": "2026-07-01T00:00:00Z"}).json()
    with django_assert_num_queries(1):
        now = client.get(url).json()
    assert (then["eligible"], now["eligible"]) == (True, False)
