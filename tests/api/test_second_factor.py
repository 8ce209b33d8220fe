"""Privileged answers through the API need the second factor, by session or by token.

A committee member's token sees hidden members only if it was created in a session that
passed two-factor authentication, and only while the holder still has the role.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core import clock
from core.models import ApiToken, RoleAssignment
from core.services.api_tokens import api_token_create
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def _hidden_url(people) -> str:
    return f"/api/v1/voting-rights/members/{people.hidden.number}/"


def _with_token(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def test_a_token_made_without_the_second_factor_sees_what_a_member_sees(people):
    committee = people.viewers["committee_member"]
    _token, plaintext = api_token_create(user=committee, name="bot")  # second_factor=False
    assert _with_token(plaintext).get(_hidden_url(people)).status_code == 404


def test_a_token_made_after_the_second_factor_sees_the_committee_view(people):
    committee = people.viewers["committee_member"]
    _token, plaintext = api_token_create(user=committee, name="bot", second_factor=True)
    body = _with_token(plaintext).get(_hidden_url(people)).json()
    assert body["eligible"] is True and "reasons" in body


def test_a_tokens_privilege_follows_the_holders_current_roles(people):
    committee = people.viewers["committee_member"]
    _token, plaintext = api_token_create(user=committee, name="bot", second_factor=True)
    client = _with_token(plaintext)
    assert client.get(_hidden_url(people)).status_code == 200
    RoleAssignment.objects.filter(user=committee).update(ends_at=clock.now())
    assert client.get(_hidden_url(people)).status_code == 404


def test_a_session_without_the_second_factor_sees_what_a_member_sees(people):
    client = Client()
    sign_in(client, people.viewers["committee_member"], second_factor=False)
    assert client.get(_hidden_url(people)).status_code == 404
    sign_in(client, people.viewers["committee_member"])
    assert client.get(_hidden_url(people)).status_code == 200


def test_the_tokens_page_records_whether_the_session_passed_the_second_factor(people):
    committee = people.viewers["committee_member"]
    client = Client()
    sign_in(client, committee, second_factor=False)
    client.post("/settings/tokens/", {"name": "plain"})
    sign_in(client, committee)
    page = client.post("/settings/tokens/", {"name": "strong"})
    assert page.status_code == 200
    levels = dict(ApiToken.objects.filter(user=committee).values_list("name", "second_factor"))
    assert levels == {"plain": False, "strong": True}
    assert "What your roles let you see" in page.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_impossible_expiry_is_a_form_error_not_a_500(people, day):
    client = Client()
    sign_in(client, people.member_user, second_factor=False)
    response = client.post("/settings/tokens/", {"name": "x", "expires_on": day})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=people.member_user).exists()
