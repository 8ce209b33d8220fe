"""The Django admin for members: read-only state, ending through the service."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core.models import User
from members.models import MembershipEvent, MembershipState
from tests.auth import sign_in
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("root@example.org", "pw")
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return client


@pytest.mark.parametrize("path", ["membership", "membershipclass", "membershipevent", "reminder"])
def test_changelists_open(clock, admin_client, path):
    make_member()
    assert admin_client.get(f"/admin/members/{path}/").status_code == 200


def test_membership_change_page_shows_history_and_state_read_only(clock, admin_client):
    member = make_member()
    page = admin_client.get(f"/admin/members/membership/{member.pk}/change/")
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    assert "activated" in page.content.decode()


def test_posting_a_state_change_does_not_change_the_state(clock, admin_client):
    member = make_member()
    admin_client.post(
        f"/admin/members/membership/{member.pk}/change/",
        {
            "state": "ended",
            "mirror_url": "",
            "events-TOTAL_FORMS": "1",
            "events-INITIAL_FORMS": "1",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
        },
    )
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE


def test_end_action_goes_through_the_service(clock, admin_client):
    member = make_member()
    response = admin_client.post(
        "/admin/members/membership/",
        {"action": "end_memberships", "_selected_action": [member.pk]},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.state == MembershipState.ENDED
    assert MembershipEvent.objects.filter(membership=member, kind="ended").exists()
