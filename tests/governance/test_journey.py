"""The secretary's journey through the web pages: meeting, roll call, minutes, approval, publication."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from governance.models import Decision, Meeting, Minutes
from tests.auth import sign_in
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def with_totp(user):
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def secretary(client):
    user = with_totp(RoleFactory(role="secretary").user)
    sign_in(client, user)
    return user


def record_meeting(client, clock, directors, *, title, recuse=None, approves=None):
    response = client.post(
        "/manage/governance/meetings/new/",
        {
            "kind": "regular",
            "title": title,
            "scheduled_at": (clock.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Video call",
            "agenda": "Approval of the previous minutes\nMirror network budget",
        },
    )
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get(title=title)
    data = {f"d{d.pk}": "present" for d in directors}
    data["guests"] = ""
    assert client.post(f"/manage/governance/meetings/{meeting.pk}/attendance/", data).status_code == 302
    votes = {}
    for d in directors:
        votes[f"v{d.pk}"] = "recused" if d == recuse else "yes"
        votes[f"n{d.pk}"] = "Employed by the mirror vendor" if d == recuse else ""
    response = client.post(
        f"/manage/governance/meetings/{meeting.pk}/decisions/new/",
        {
            "title": "Approve the minutes" if approves else "Fund the mirror network",
            "text": "Resolved as proposed.",
            "kind": "ordinary",
            "approves_minutes": approves.pk if approves else "",
            "adopts_policy_version": "",
            **votes,
        },
    )
    assert response.status_code == 302, response.content.decode()
    return meeting


def test_a_secretary_records_drafts_gets_approval_and_publishes(client, clock, board, secretary):
    directors = board.directors(5)
    clock.advance(days=1)
    first = record_meeting(client, clock, directors, title="March meeting", recuse=directors[0])
    response = client.post(
        f"/manage/governance/meetings/{first.pk}/minutes/", {"body_md": "## Present\n\nAll five directors."}
    )
    assert response.status_code == 302
    minutes = Minutes.objects.get(meeting=first)
    page = client.get(f"/manage/governance/meetings/{first.pk}/").content.decode()
    assert "All five directors." in page and "5 of 5 directors present" in page

    clock.advance(days=30)
    record_meeting(client, clock, directors, title="April meeting", approves=minutes)
    response = client.post(f"/manage/governance/minutes/{minutes.number}/publish/", {"confirm": "yes"})
    assert response.status_code == 302

    public = client.get(f"/governance/minutes/{minutes.number}/")
    assert public.status_code == 200
    assert "All five directors." in public.content.decode()
    funded = Decision.objects.get(title="Fund the mirror network")
    register = client.get("/governance/decisions/").content.decode()
    assert funded.reference in register
    detail = client.get(f"/governance/decisions/{funded.number}/").content.decode()
    assert "Recused" in detail and "Employed by the mirror vendor" in detail


def test_the_meeting_page_shows_the_antitrust_statement_first(client, clock, board, secretary):
    board.directors(3)
    clock.advance(days=1)
    client.post(
        "/manage/governance/meetings/new/",
        {
            "kind": "regular",
            "title": "May",
            "scheduled_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
            "agenda": "Budget",
        },
    )
    meeting = Meeting.objects.get(title="May")
    items = list(meeting.agenda_items.values_list("title", flat=True))
    assert items == ["Antitrust statement", "Budget"]
    page = client.get(f"/manage/governance/meetings/{meeting.pk}/").content.decode()
    assert "antitrust" in page.lower()


def test_a_refused_publication_shows_the_reason(client, clock, board, secretary):
    directors = board.directors(3)
    clock.advance(days=1)
    meeting = record_meeting(client, clock, directors, title="June meeting")
    client.post(f"/manage/governance/meetings/{meeting.pk}/minutes/", {"body_md": "Draft"})
    minutes = Minutes.objects.get(meeting=meeting)
    response = client.post(
        f"/manage/governance/minutes/{minutes.number}/publish/", {"confirm": "yes"}, follow=True
    )
    assert "have not been approved" in response.content.decode()


def test_a_director_may_read_drafts_but_not_record(client, clock, board):
    directors = board.directors(2)
    director = with_totp(directors[0])
    sign_in(client, director)
    assert client.get("/manage/governance/").status_code == 200
    response = client.post("/manage/governance/meetings/new/", {"kind": "regular", "title": "X"})
    assert response.status_code == 403


def test_the_public_cannot_open_the_manage_pages(client, db):
    response = client.get("/manage/governance/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_member_without_a_role_gets_403(client, db):
    client.force_login(UserFactory())
    assert client.get("/manage/governance/").status_code == 403


def test_privileged_users_without_two_factor_are_sent_to_set_it_up(client, db):
    sign_in(client, RoleFactory(role="secretary").user, second_factor=False)
    response = client.get("/manage/governance/")
    assert response.status_code == 302
    assert "next=/manage/governance/" in response["Location"]
