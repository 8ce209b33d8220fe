"""The committee reviews the provisional roll: every line, who is left off, and why."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.auth import sign_in
from tests.factories import RoleFactory, UserFactory, make_member, suspend_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(client, elections):  # after the clock is set, so the role is active
    user = RoleFactory(role="election_committee").user
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return user


def test_the_committee_sees_who_would_be_left_off_and_why(client, committee, elections, clock):
    election = elections.create()
    voter = elections.member(name="Ada Lovelace")
    suspended = make_member(
        user=UserFactory(full_name="Grace Hopper"), start=clock.now() - dt.timedelta(days=400)
    )
    suspend_member(suspended, reason="Spam")
    decision = suspended.events.get(kind="suspended").decision_ref
    page = client.get(f"/manage/elections/{election.slug}/roll/?show=left_off").content.decode()
    assert suspended.number in page and decision in page and "Grace Hopper" in page
    assert voter.memberships.get().number not in page
    everyone = client.get(f"/manage/elections/{election.slug}/roll/").content.decode()
    assert voter.memberships.get().number in everyone and "Ada Lovelace" in everyone


def test_members_outside_the_committee_cannot_see_it(client, elections):
    election = elections.create()
    client.force_login(elections.member())
    assert client.get(f"/manage/elections/{election.slug}/roll/").status_code == 403


def test_the_page_reads_a_constant_number_of_queries(client, committee, elections):
    election = elections.create()
    for _ in range(5):
        elections.member()
    client.get(f"/manage/elections/{election.slug}/roll/")  # the rule set's cache is warm from now on
    with CaptureQueriesContext(connection) as small:
        client.get(f"/manage/elections/{election.slug}/roll/")
    for _ in range(60):
        elections.member()
    with CaptureQueriesContext(connection) as large:
        response = client.get(f"/manage/elections/{election.slug}/roll/")
    assert response.status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
