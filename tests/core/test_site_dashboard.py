"""The signed-in person's dashboard (core/dashboard.html)."""

from __future__ import annotations

import datetime as dt

import pytest

from members.models import MembershipApplication, Reminder
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def test_dashboard_needs_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_someone_without_a_membership_is_invited_to_apply(client):
    client.force_login(UserFactory())
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="empty-state"' in html
    assert "You are not a member yet" in html
    assert 'href="/members/apply/"' in html


def test_member_sees_number_class_state_and_weight(client, clock):
    user = UserFactory()
    membership = make_member(user=user)
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    assert membership.number in html
    assert "Voting weight" in html
    assert '<span class="stat-value">1</span>' in html  # individual members vote with weight 1
    assert "Eligible to vote" in html
    assert '<span class="badge badge-success">Active</span>' in html
    assert "You are not a member yet" not in html


def test_open_reminder_shows_a_renewal_banner(client, clock):
    user = UserFactory()
    membership = make_member(user=user)
    Reminder.objects.create(membership=membership, term_expires_at=membership.expires_at, offset_days=30)
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    assert "Your membership expires on" in html
    assert 'href="/members/renew/"' in html
    assert 'class="alert alert-warning alert-with-action"' in html


def test_lapsed_member_sees_why_they_cannot_vote(client, clock):
    user = UserFactory()
    make_member(user=user)
    clock.advance(days=800)  # far past expiry and any grace period
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    assert "Not eligible to vote" in html
    assert 'class="reasons"' in html


def test_applications_link_to_their_pages(client, clock):
    user = UserFactory()
    application = MembershipApplication.objects.create(applicant=user, class_code="individual")
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    assert f'href="/members/applications/{application.pk}/"' in html
    assert "Submitted" in html


def test_representative_sees_the_organisations_rights(client, clock):
    user = UserFactory()
    org = OrganisationFactory(representative=user, legal_name="Acme Linux GmbH")
    make_member(organisation=org, class_code="gold", start=clock.now() - dt.timedelta(days=1))
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    assert "Your organisations" in html
    assert "Acme Linux GmbH" in html


def test_a_voter_on_an_open_roll_is_prompted_to_vote_until_they_have(client, clock):
    from tests.elections.conftest import Elections

    election, _candidates, voters = Elections().voting(candidates=["Ada Lovelace", "Grace Hopper"], voters=1)
    voter = voters[0]
    client.force_login(voter)
    body = client.get("/dashboard/").content.decode()
    assert f"/elections/{election.slug}/" in body and "Vote in" in body
    entry = election.roll.get(voter=voter)
    type(entry).objects.filter(pk=entry.pk).update(has_voted=True)
    assert "Vote in" not in client.get("/dashboard/").content.decode()


@pytest.mark.parametrize(
    ("role", "link"),
    [
        ("membership_committee", "/manage/members/applications/"),
        ("secretary", "/manage/governance/"),
        ("treasurer", "/manage/billing/"),
        ("election_committee_chair", "/manage/elections/"),
    ],
)
def test_role_holders_find_their_privileged_pages_on_the_dashboard(client, role, link):
    from tests.factories import RoleFactory

    holder = RoleFactory(role=role).user
    client.force_login(holder)
    body = client.get("/dashboard/").content.decode()
    assert "Your work" in body and f'href="{link}"' in body


def test_members_without_a_role_see_no_privileged_links(client):
    client.force_login(UserFactory())
    body = client.get("/dashboard/").content.decode()
    assert "Your work" not in body and "/manage/" not in body
