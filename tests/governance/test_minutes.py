"""Minutes: numbered drafts, approval at a later meeting, publication, immutable versions."""

from __future__ import annotations

import pytest

from core.audit import audit_head_hash
from core.errors import Conflict, ValidationFailed
from core.models import AuditEntry
from governance.admin import MinutesVersionAdmin
from governance.markdown import render_markdown
from governance.models import ChangeRecord, MinutesVersion
from governance.services.meetings import minutes_correct, minutes_draft, minutes_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(board, clock):
    board.directors(3)
    meeting = board.meeting(title="January meeting")
    minutes = minutes_draft(meeting=meeting, body_md="# Minutes\n\nThe board met.", actor=board.secretary())
    clock.advance(days=30)
    return minutes


def approve(board, minutes):
    return board.decide(meeting=board.meeting(title="February meeting"), approves_minutes=minutes)


def test_minutes_are_numbered_in_sequence(board, clock):
    board.directors(1)
    first = minutes_draft(meeting=board.meeting(), body_md="a", actor=board.secretary())
    clock.advance(days=1)
    second = minutes_draft(meeting=board.meeting(), body_md="b", actor=board.secretary())
    assert (first.number, second.number) == (1, 2)


def test_redrafting_keeps_the_number(drafted, board):
    again = minutes_draft(meeting=drafted.meeting, body_md="changed", actor=board.secretary())
    assert again.pk == drafted.pk and again.number == drafted.number


def test_unapproved_minutes_cannot_be_published(drafted, board):
    with pytest.raises(Conflict) as exc:
        minutes_publish(minutes=drafted, actor=board.secretary())
    assert exc.value.code == "minutes_not_approved"
    assert "not been approved" in exc.value.message


def test_minutes_cannot_be_approved_at_their_own_meeting(drafted, board):
    with pytest.raises(ValidationFailed) as exc:
        board.decide(meeting=drafted.meeting, approves_minutes=drafted)
    assert exc.value.code == "minutes_same_meeting"


def test_approved_minutes_are_published_with_the_audit_head(drafted, board):
    approve(board, drafted)
    version = minutes_publish(minutes=drafted, actor=board.secretary())
    drafted.refresh_from_db()
    assert drafted.status == "published"
    assert version.version == 1
    assert version.audit_head_hash == audit_head_hash()
    assert AuditEntry.objects.get(hash=version.audit_head_hash).action == "minutes.published"


def test_approved_minutes_can_no_longer_be_edited(drafted, board):
    approve(board, drafted)
    with pytest.raises(Conflict) as exc:
        minutes_draft(meeting=drafted.meeting, body_md="sneaky", actor=board.secretary())
    assert exc.value.code == "minutes_not_draft"


def test_a_correction_is_a_new_version_with_its_reason(drafted, board):
    approve(board, drafted)
    first = minutes_publish(minutes=drafted, actor=board.secretary())
    second = minutes_correct(
        minutes=drafted,
        body_md="# Minutes\n\nThe board met at 10:00.",
        reason="Time was missing",
        actor=board.secretary(),
    )
    first.refresh_from_db()
    assert first.body_md == "# Minutes\n\nThe board met."
    assert second.version == 2 and second.reason == "Time was missing"
    assert ChangeRecord.objects.filter(reason="Time was missing", item_type="minutes").exists()


def test_a_correction_needs_a_reason(drafted, board):
    approve(board, drafted)
    minutes_publish(minutes=drafted, actor=board.secretary())
    with pytest.raises(ValidationFailed):
        minutes_correct(minutes=drafted, body_md="new", reason=" ", actor=board.secretary())


def test_published_versions_cannot_be_edited_in_the_admin_sense(drafted, board):
    approve(board, drafted)
    minutes_publish(minutes=drafted, actor=board.secretary())

    assert not MinutesVersionAdmin(MinutesVersion, None).has_change_permission(None)


# --- Markdown cannot inject script -----------------------------------------------------


def test_script_tags_are_removed():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html and "alert" not in html


def test_javascript_links_are_removed():
    html = render_markdown("[click](javascript:alert(1)) and <a href='JaVaScRiPt:alert(1)'>x</a>")
    assert "javascript" not in html.lower()


def test_event_handler_attributes_are_removed():
    html = render_markdown('<img src="x" onerror="alert(1)"> <p onclick="alert(2)">p</p>')
    assert "onerror" not in html and "onclick" not in html


def test_safe_markdown_survives():
    html = render_markdown("**bold** and [a link](https://example.org)")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html


def test_the_published_page_carries_no_injected_script(drafted, board, client):
    minutes_draft(
        meeting=drafted.meeting,
        body_md="<script>alert(1)</script>[x](javascript:alert(2)) <img src=x onerror=alert(3)>",
        actor=board.secretary(),
    )
    approve(board, drafted)
    minutes_publish(minutes=drafted, actor=board.secretary())
    body = client.get(f"/governance/minutes/{drafted.number}/").content.decode()
    assert "alert(" not in body
    assert "onerror" not in body
