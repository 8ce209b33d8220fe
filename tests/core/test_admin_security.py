"""The Django admin opens only through the site's login with a second factor, and shows no secrets."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _staff_with_totp():
    staff = UserFactory(is_staff=True, is_superuser=True)
    staff.set_password(PASSWORD)
    staff.save()
    TOTP.activate(staff, generate_totp_secret())
    return staff


def test_the_admin_login_form_is_not_a_way_in(client):
    staff = _staff_with_totp()
    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # Nothing privileged opened: the password alone signed nobody in.
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert client.get("/manage/members/").status_code == 302


def test_the_admin_login_page_sends_people_to_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_authenticator_secrets_are_never_shown_in_the_admin(client):
    from tests.auth import sign_in

    staff = _staff_with_totp()
    sign_in(client, staff)
    authenticator = Authenticator.objects.get(user=staff)
    secret = authenticator.data["secret"]
    listing = client.get("/admin/mfa/authenticator/")
    assert listing.status_code == 200
    page = client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/")
    assert page.status_code == 200
    assert secret not in page.content.decode()
    # Read-only: a POST cannot change it.
    client.post(f"/admin/mfa/authenticator/{authenticator.pk}/change/", {"data": "{}"})
    authenticator.refresh_from_db()
    assert authenticator.data["secret"] == secret
