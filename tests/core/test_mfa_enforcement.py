"""Privileged users must turn on TOTP before any privileged page opens (admin included)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core.errors import NotAllowed
from core.models import AuditEntry
from core.services.accounts import user_reset_mfa
from tests.auth import sign_in
from tests.core.privacy_world import sign_in_again
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def test_staff_without_totp_is_sent_to_activate_it_before_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ACTIVATE)


def test_staff_who_passed_the_second_factor_reach_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    sign_in(client, staff)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db(transaction=True)  # allauth signals on commit, inside the view as in production
def test_turning_on_totp_counts_as_this_sessions_second_factor(client):
    """Sent to set up an authenticator, the person types a code from it; the page they wanted
    then opens without asking for another code."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from core import clock

    director = RoleFactory(role="director").user
    sign_in(client, director, second_factor=False)
    response = client.get("/manage/")
    assert response["Location"].startswith(ACTIVATE)
    sign_in_again(client, director)  # allauth asks for the password before adding a device
    page = client.get(ACTIVATE)
    assert page.status_code == 200, page
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(clock.now().timestamp()) // 30))
    assert client.post(ACTIVATE, {"code": code}).status_code == 302
    assert Authenticator.objects.filter(user=director, type="totp").exists()
    assert client.get("/manage/governance/").status_code == 200


def test_having_a_device_is_not_enough_this_session_must_have_passed_it(client):
    """A password-only session (e.g. a stolen password) of a user with TOTP opens nothing privileged."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    sign_in(client, staff, second_factor=False)
    for path in ("/admin/", "/manage/members/", "/manage/governance/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/"), response["Location"]


def test_a_committee_member_without_the_second_factor_sees_no_applications_outside_manage(client):
    from members.services.applications import application_submit_personal

    applicant = UserFactory()
    application = application_submit_personal(applicant=applicant, class_code="individual")
    committee = RoleFactory(role="membership_committee").user
    TOTP.activate(committee, generate_totp_secret())
    sign_in(client, committee, second_factor=False)
    # Without the second factor the committee member sees what any member sees: nothing.
    assert client.get(f"/members/applications/{application.pk}/").status_code == 404
    sign_in(client, committee)
    assert client.get(f"/members/applications/{application.pk}/").status_code == 200


@pytest.mark.parametrize(
    "role", ["director", "secretary", "membership_committee", "election_committee_chair"]
)
def test_role_holders_without_totp_cannot_open_manage_pages(client, role):
    holder = RoleFactory(role=role).user
    client.force_login(holder)
    response = client.get("/manage/members/")
    assert response.status_code == 302 and response["Location"].startswith(ACTIVATE)


def test_a_role_that_ended_no_longer_counts_as_privileged(client, clock):
    assignment = RoleFactory(role="director")
    assignment.ends_at = clock.now()
    assignment.save()
    client.force_login(assignment.user)
    response = client.get("/manage/members/")
    assert not (response.status_code == 302 and response["Location"].startswith(ACTIVATE))


def test_ordinary_members_are_not_asked_for_totp_on_public_pages(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200


def test_privileged_users_can_still_browse_public_pages_without_totp(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/").status_code == 200


def test_staff_reset_of_a_lost_device_removes_authenticators_and_is_audited():
    staff = UserFactory(is_staff=True)
    director = RoleFactory(role="director").user
    TOTP.activate(director, generate_totp_secret())
    assert user_reset_mfa(actor=staff, user=director, reason="lost phone") >= 1
    assert not Authenticator.objects.filter(user=director).exists()
    entry = AuditEntry.objects.get(action="account.mfa_reset")
    assert entry.actor_ref == staff.audit_ref and entry.object_ref == director.audit_ref


def test_non_staff_cannot_reset_someone_elses_mfa():
    with pytest.raises(NotAllowed):
        user_reset_mfa(actor=UserFactory(), user=UserFactory(), reason="x")
