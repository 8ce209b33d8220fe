"""Renewing, the membership page, leaving and the directory listing, through the web UI."""

from __future__ import annotations

import datetime as dt

import pytest

from members.models import MembershipApplication, MembershipClass, MembershipState, Reminder
from members.selectors import member_dashboard
from members.services.reminders import reminders_send_due
from members.services.transitions import membership_suspend
from members.tasks import run_membership_schedule
from tests.factories import OrganisationFactory, make_member, register_decision

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def one_click_individuals() -> None:
    """The reference bylaws have individual renewals approved; some foundations do not."""
    MembershipClass.objects.filter(code="individual").update(renewal_needs_approval=False)


def test_free_class_renews_with_one_click(clock, client, one_click_individuals):
    member = make_member()
    old_expiry = member.expires_at
    clock.set(old_expiry - 7 * DAY)
    client.force_login(member.user)
    response = client.post("/members/renew/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.expires_at == old_expiry + 365 * DAY
    assert member.state == MembershipState.ACTIVE


def test_renewing_closes_the_terms_reminders(clock, client, one_click_individuals):
    member = make_member()
    clock.set(member.expires_at - 7 * DAY)
    reminders_send_due()
    client.force_login(member.user)
    client.post("/members/renew/")
    assert Reminder.objects.get().dismissed_at == clock.now()
    assert member_dashboard(user=member.user).open_reminders == []


def test_lapsed_member_renews_on_the_web_and_votes_again(clock, client, one_click_individuals):
    member = make_member()
    clock.set(member.expires_at + 31 * DAY)
    run_membership_schedule()
    client.force_login(member.user)
    assert member_dashboard(user=member.user).rights.eligible is False
    assert "Not eligible to vote" in client.get("/dashboard/").content.decode()
    assert "Not eligible to vote" in client.get("/members/membership/").content.decode()
    client.post("/members/renew/")
    rights = member_dashboard(user=member.user).rights
    assert rights.eligible is True and rights.weight == 1
    dashboard = client.get("/dashboard/").content.decode()
    assert "Eligible to vote" in dashboard and "Not eligible to vote" not in dashboard
    assert "Eligible to vote" in client.get("/members/membership/").content.decode()


def test_renewal_needing_approval_creates_a_renewal_application(clock, client):
    member = make_member()
    clock.set(member.expires_at - 7 * DAY)
    client.force_login(member.user)
    response = client.post("/members/renew/")
    assert response.status_code == 302
    application = MembershipApplication.objects.get()
    assert application.is_renewal and application.membership == member
    member.refresh_from_db()
    assert member.expires_at == clock.now() + 7 * DAY  # unchanged until the committee approves


def test_paid_class_page_points_to_billing_and_nothing_changes(clock, client):
    org = OrganisationFactory()
    member = make_member(organisation=org, class_code="gold")
    client.force_login(org.representative)
    page = client.get(f"/members/renew/{member.number}/")
    assert page.status_code == 200
    assert 'href="/billing/"' in page.content.decode()
    client.post(f"/members/renew/{member.number}/")
    member.refresh_from_db()
    assert member.expires_at == clock.now() + 365 * DAY


def test_suspended_member_is_told_and_nothing_changes(clock, client, one_click_individuals):
    member = make_member()
    membership_suspend(
        membership=member,
        actor=None,
        reason="Code of conduct",
        notice_date=clock.now().date(),
        decision_number=register_decision().number,
    )
    expiry = member.expires_at
    client.force_login(member.user)
    response = client.post("/members/renew/", follow=True)
    assert "suspended" in response.content.decode()
    member.refresh_from_db()
    assert member.state == MembershipState.SUSPENDED and member.expires_at == expiry


def test_someone_cannot_renew_another_organisation(clock, client):
    member = make_member(organisation=OrganisationFactory(), class_code="mirror")
    other = make_member()
    client.force_login(other.user)
    assert client.get(f"/members/renew/{member.number}/").status_code == 404


def test_membership_page_shows_history_and_rights(clock, client):
    member = make_member()
    client.force_login(member.user)
    content = client.get("/members/membership/").content.decode()
    assert member.number in content
    assert "activated" in content
    assert "Eligible to vote" in content


def test_membership_page_shows_the_suspension_and_why(clock, client):
    member = make_member()
    decision = register_decision()
    membership_suspend(
        membership=member,
        actor=None,
        reason="Repeated spam",
        notice_date=clock.now().date(),
        decision_number=decision.number,
    )
    client.force_login(member.user)
    content = client.get("/members/membership/").content.decode()
    assert "Your membership is suspended" in content
    assert "Repeated spam" in content
    assert decision.reference in content


def test_leaving_needs_a_confirmation_then_ends_the_membership(clock, client):
    member = make_member()
    client.force_login(member.user)
    confirm = client.get("/members/membership/leave/")
    assert confirm.status_code == 200
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE
    client.post("/members/membership/leave/")
    member.refresh_from_db()
    assert member.state == MembershipState.ENDED
    assert member_dashboard(user=member.user).rights.eligible is False


def test_member_toggles_their_directory_listing(clock, client):
    member = make_member()
    client.force_login(member.user)
    client.post("/members/membership/directory/", {"listed": "on"})
    member.refresh_from_db()
    assert member.in_directory is True
    client.post("/members/membership/directory/", {})
    member.refresh_from_db()
    assert member.in_directory is False


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/members/membership/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_renewal_does_not_open_before_the_first_reminder(clock, client, one_click_individuals):
    member = make_member()
    expiry = member.expires_at
    clock.set(expiry - 31 * DAY)
    client.force_login(member.user)
    assert "Renewal opens on" in client.get("/members/renew/").content.decode()
    response = client.post("/members/renew/", follow=True)
    assert "renewal opens on" in response.content.decode()
    member.refresh_from_db()
    assert member.expires_at == expiry


def test_a_double_click_renews_once(clock, client, one_click_individuals):
    member = make_member()
    expiry = member.expires_at
    clock.set(expiry - 3 * DAY)
    client.force_login(member.user)
    client.post("/members/renew/")
    client.post("/members/renew/")
    member.refresh_from_db()
    assert member.expires_at == expiry + 365 * DAY
    assert member.events.filter(kind="renewed").count() == 1


def test_ended_member_is_told_to_apply_again(clock, client, one_click_individuals):
    member = make_member()
    client.force_login(member.user)
    client.post("/members/membership/leave/")
    response = client.post("/members/renew/", follow=True)
    assert "apply for membership again" in response.content.decode()
    member.refresh_from_db()
    assert member.state == MembershipState.ENDED
