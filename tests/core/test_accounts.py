"""Accounts: sign-up needs a verified email; login is by email; passwords can be reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from core.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_sign_up_sends_a_verification_email_and_blocks_login_until_verified(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "New@Example.org",
            "full_name": "Ada Lovelace",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    user = User.objects.get(email="new@example.org")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.org"]

    client.logout()
    login = client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert login.status_code == 302 and "confirm-email" in login["Location"]
    assert "_auth_user_id" not in client.session

    client.get(_link(mail.outbox[-1]))  # the confirmation page
    client.post(_link(mail.outbox[-1]))  # confirm
    assert user.emailaddress_set.get().verified
    login = client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert login.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_login_is_by_email(client):
    user = UserFactory(email="ada@example.org")
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="grace@example.org")
    client.post("/accounts/password/reset/", {"email": "grace@example.org"})
    assert len(mail.outbox) == 1
    form_url = client.get(_link(mail.outbox[0])).url  # allauth moves the key into the session
    new = "an entirely new passphrase"
    client.post(form_url, {"password1": new, "password2": new})
    user.refresh_from_db()
    assert user.check_password(new)


def test_a_duplicate_email_cannot_sign_up_twice(client):
    UserFactory(email="dup@example.org")
    response = client.post(
        "/accounts/signup/",
        {"email": "dup@example.org", "full_name": "Dup", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.filter(email="dup@example.org").count() == 1
    assert response.status_code in (200, 302)
