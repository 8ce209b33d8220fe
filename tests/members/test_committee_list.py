"""The committee's member list, CSV export, member detail and the not-reached page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import OutgoingEmail
from members.models import Reminder
from members.services.reminders import reminder_dismiss, reminders_send_due
from members.services.transitions import membership_suspend
from tests.auth import sign_in
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member, register_decision

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def committee(client):
    user = UserFactory()
    RoleFactory(user=user, role="membership_committee")
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return client


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_list_needs_the_committee(clock, client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/manage/members/").status_code == 403


def test_privileged_user_without_mfa_is_sent_to_set_it_up(clock, client):
    user = UserFactory()
    RoleFactory(user=user, role="membership_committee")
    client.force_login(user)
    response = client.get("/manage/members/")
    assert response.status_code == 302 and "/2fa/" in response["Location"]


def test_list_shows_members(clock, committee):
    member = make_member(user=UserFactory(full_name="Ada Lovelace"))
    content = committee.get("/manage/members/").content.decode()
    assert member.number in content and "Ada Lovelace" in content and member.user.email in content


def test_search_by_email_number_and_organisation(clock, committee):
    ada = make_member(user=UserFactory(email="ada@example.net"))
    org = make_member(organisation=OrganisationFactory(legal_name="Rocky Hosting"), class_code="mirror")
    other = make_member()
    by_email = committee.get("/manage/members/", {"q": "ada@example"}).content.decode()
    assert ada.number in by_email and other.number not in by_email
    by_number = committee.get("/manage/members/", {"q": org.number}).content.decode()
    assert org.number in by_number and ada.number not in by_number
    by_org = committee.get("/manage/members/", {"q": "rocky"}).content.decode()
    assert org.number in by_org and other.number not in by_org


def test_filter_by_class_and_state(clock, committee):
    gold = make_member(organisation=OrganisationFactory(), class_code="gold")
    person = make_member()
    suspended = make_member()
    membership_suspend(
        membership=suspended,
        actor=None,
        reason="x",
        notice_date=clock.now().date(),
        decision_number=register_decision().number,
    )
    by_class = committee.get("/manage/members/", {"class_code": "gold"}).content.decode()
    assert gold.number in by_class and person.number not in by_class
    by_state = committee.get("/manage/members/", {"state": "suspended"}).content.decode()
    assert suspended.number in by_state and person.number not in by_state


def test_filter_expiring_within_days(clock, committee):
    soon = make_member(start=clock.now() - 360 * DAY)
    later = make_member()
    content = committee.get("/manage/members/", {"expiring_within": 10}).content.decode()
    assert soon.number in content and later.number not in content


def test_filter_not_reached(clock, committee):
    ignored = make_member()
    acted = make_member()
    clock.set(ignored.expires_at - 30 * DAY)
    reminders_send_due()
    reminder_dismiss(reminder=Reminder.objects.get(membership=acted), actor=acted.user)
    clock.advance(days=8)
    content = committee.get("/manage/members/", {"not_reached": "on"}).content.decode()
    assert ignored.number in content and acted.number not in content


def test_csv_export_has_the_columns_and_the_filter(clock, committee):
    member = make_member(user=UserFactory(full_name="Ada Lovelace"))
    make_member(organisation=OrganisationFactory(), class_code="gold")
    response = committee.get("/manage/members/export.csv", {"class_code": "individual"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == ["number", "name", "class", "state", "member_since", "expires_at", "email"]
    assert rows[1:] == [
        [
            member.number,
            "Ada Lovelace",
            "Individual",
            "active",
            member.member_since.date().isoformat(),
            member.expires_at.date().isoformat(),
            member.user.email,
        ]
    ]


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)"])
def test_csv_export_defuses_formulas(clock, committee, name):
    make_member(user=UserFactory(full_name=name))
    rows = _csv(committee.get("/manage/members/export.csv"))
    assert rows[1][1] == "'" + name


def test_export_needs_the_committee(clock, client):
    client.force_login(UserFactory())
    assert client.get("/manage/members/export.csv").status_code == 403


def test_detail_shows_history_reminders_and_emails(clock, committee, run_jobs):
    member = make_member()
    clock.set(member.expires_at - 30 * DAY)
    reminders_send_due()
    run_jobs()
    content = committee.get(f"/manage/members/{member.number}/").content.decode()
    assert "activated" in content
    assert "Accepted by the mail server" in content
    assert OutgoingEmail.objects.get().subject in content


def test_not_reached_lists_members_who_did_not_act(clock, committee):
    silent = make_member()
    renewed_in_time = make_member()
    clock.set(silent.expires_at - 30 * DAY)
    reminders_send_due()
    reminder_dismiss(reminder=Reminder.objects.get(membership=renewed_in_time), actor=renewed_in_time.user)
    clock.advance(days=6)
    assert silent.number not in committee.get("/manage/members/not-reached/").content.decode()
    clock.advance(days=2)
    content = committee.get("/manage/members/not-reached/").content.decode()
    assert silent.number in content
    assert "No renewal and no response" in content
    assert renewed_in_time.number not in content


def test_not_reached_needs_the_committee(clock, client):
    client.force_login(UserFactory())
    assert client.get("/manage/members/not-reached/").status_code == 403


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _populate(n: int) -> None:
    for i in range(n):
        if i % 3 == 0:
            make_member(organisation=OrganisationFactory(), class_code="gold")
        else:
            make_member()


def _remind_everyone(clock) -> None:
    start = clock.now()
    clock.set(start + 340 * DAY)
    reminders_send_due()
    clock.set(start + 350 * DAY)


def test_list_and_not_reached_query_counts_stay_flat(clock, committee):
    start = clock.now()
    _populate(10)
    _remind_everyone(clock)
    counts_small = [
        _queries(committee, "/manage/members/"),
        _queries(committee, "/manage/members/?not_reached=on"),
        _queries(committee, "/manage/members/not-reached/"),
    ]
    clock.set(start)
    _populate(990)
    _remind_everyone(clock)
    counts_large = [
        _queries(committee, "/manage/members/?page=2"),
        _queries(committee, "/manage/members/?not_reached=on&page=2"),
        _queries(committee, "/manage/members/not-reached/?page=2"),
    ]
    assert counts_large == counts_small


def test_csv_export_query_count_stays_flat(clock, committee):
    _populate(10)
    with CaptureQueriesContext(connection) as small:
        b"".join(committee.get("/manage/members/export.csv").streaming_content)
    _populate(300)
    with CaptureQueriesContext(connection) as large:
        rows = _csv(committee.get("/manage/members/export.csv"))
    assert len(rows) == 311
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_members_history_names_who_acted_never_a_raw_reference(clock, committee):
    membership = make_member()
    secretary = UserFactory(full_name="Grace Hopper")
    membership.events.create(
        at=clock.now(),
        kind="note",
        state=membership.state,
        class_code=membership.class_code,
        actor_ref=secretary.audit_ref,
    )
    page = committee.get(f"/manage/members/{membership.number}/").content.decode()
    assert "<td>Grace Hopper</td>" in page and secretary.audit_ref not in page
