"""The secretary's minutes editor: a draft pre-filled from the meeting, a preview, a roll call
that starts from the attendance, and publication that asks for confirmation."""

from __future__ import annotations

import pytest

from governance.models import Minutes, MinutesStatus, VoteChoice
from governance.services.meetings import attendance_record, meeting_create, minutes_draft
from governance.services.minutes_prefill import minutes_prefill
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(board, clock):
    d = board.directors(3)
    meeting = meeting_create(
        kind="regular",
        title="March meeting",
        scheduled_at=clock.now(),
        agenda=[("Budget <b>2027</b>", "The treasurer presents.")],
        actor=board.secretary(),
    )
    attendance_record(
        meeting=meeting,
        entries=[(p, "present" if p in d[:2] else "absent", "") for p in d],
        actor=board.secretary(),
    )
    board.decide(meeting=meeting, title="Adopt the budget", votes={d[0]: VoteChoice.YES, d[1]: VoteChoice.NO})
    return meeting, d


def test_the_draft_starts_from_agenda_attendance_and_decisions(held):
    meeting, _d = held
    text = minutes_prefill(meeting=meeting)
    assert "March meeting" in text
    assert "Directors present: Director 1, Director 2" in text
    assert "Directors absent: Director 3" in text
    assert "Antitrust statement" in text and "Budget" in text
    assert "R-0001 Adopt the budget" in text and "Outcome: Rejected" in text
    assert "<b>" not in text  # a title is literal text, never HTML


def test_the_editor_is_pre_filled_and_a_saved_draft_is_kept(held, board, client):
    meeting, _d = held
    sign_in(client, board.secretary())
    url = f"/manage/governance/meetings/{meeting.pk}/minutes/"
    assert "Directors absent: Director 3" in client.get(url).content.decode()
    minutes_draft(meeting=meeting, body_md="My own text.", actor=board.secretary())
    page = client.get(url).content.decode()
    assert "My own text." in page and "Directors absent" not in page


def test_preview_renders_without_saving(held, board, client):
    meeting, _d = held
    sign_in(client, board.secretary())
    url = f"/manage/governance/meetings/{meeting.pk}/minutes/"
    response = client.post(url, {"body_md": "## Heading\n\n<script>alert(1)</script>", "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Heading</h2>" in page and "<script>alert" not in page
    assert not Minutes.objects.filter(meeting=meeting).exists()
    assert client.post(url, {"body_md": "Saved."}).status_code == 302
    assert Minutes.objects.get(meeting=meeting).draft_md == "Saved."


def test_the_roll_call_starts_from_the_attendance(held, board, client):
    meeting, d = held
    sign_in(client, board.secretary())
    page = client.get(f"/manage/governance/meetings/{meeting.pk}/decisions/new/")
    form = page.context["form"]
    assert form[f"v{d[0].pk}"].initial == VoteChoice.YES
    assert form[f"v{d[2].pk}"].initial == VoteChoice.ABSENT


def test_publishing_asks_for_confirmation(held, board, client, clock):
    meeting, _d = held
    minutes = minutes_draft(meeting=meeting, body_md="The board met.", actor=board.secretary())
    clock.advance(days=30)
    board.decide(meeting=board.meeting(title="April meeting"), approves_minutes=minutes)
    sign_in(client, board.secretary())
    url = f"/manage/governance/minutes/{minutes.number}/publish/"
    page = client.get(url)
    assert page.status_code == 200 and "Yes, publish" in page.content.decode()
    client.post(url, {})  # without the confirmation: the question again, nothing published
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED
    response = client.post(url, {"confirm": "yes"})
    minutes.refresh_from_db()
    assert response.status_code == 302 and minutes.status == MinutesStatus.PUBLISHED
