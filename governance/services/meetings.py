"""Meetings, attendance and minutes: record, draft, publish, correct.

Minutes are numbered when first drafted, approved by a decision taken at a later
meeting (``decision_record(approves_minutes=...)``), and only then published.
Published text is never edited: a correction is a new version with its reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_head, audit_publish_head, audit_record
from core.errors import Conflict, ValidationFailed
from core.mail import email_queue
from core.rules import rules_in_force
from governance import permissions
from governance.markdown import render_markdown
from governance.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    MinutesVersion,
    SeatHolding,
)
from governance.services.common import change_record


def meeting_create(
    *,
    kind: str,
    title: str,
    scheduled_at: dt.datetime,
    actor: Any,
    location: str = "",
    agenda: Iterable[tuple[str, str]] = (),
    notify: bool = True,
) -> Meeting:
    """Call a meeting; its agenda opens with the foundation's antitrust statement.

    The directors in office are emailed (after commit) unless ``notify`` is off, as
    when recording a meeting after the fact or seeding demo data.
    """
    require(permissions.can_call_meeting(actor), _("Only the chair or the secretary calls a meeting."))
    if kind not in MeetingKind.values:
        raise ValidationFailed(_("Unknown kind of meeting."), code="invalid_kind")
    if not title.strip():
        raise ValidationFailed(_("A meeting needs a title."), code="title_required")
    rules = rules_in_force(at=scheduled_at)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            title=title.strip(),
            scheduled_at=scheduled_at,
            location=location,
            called_by=actor,
            rule_set=rules,
            created_at=clock.now(),
        )
        items = [(_("Antitrust statement"), rules.antitrust_statement), *agenda]
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, position=i, title=t, body=b)
            for i, (t, b) in enumerate(items, start=1)
        )
        if notify:
            _notify_directors(meeting)
        audit_record(
            actor=actor,
            action="meeting.called",
            obj=meeting,
            data={"kind": kind, "scheduled_at": scheduled_at, "agenda_items": len(items)},
        )
    return meeting


def _notify_directors(meeting: Meeting) -> None:
    """Tell every director in office (after commit, through the outbox) that a meeting was called."""
    url = reverse("governance_manage:meeting", args=[meeting.pk])
    for director in directors_at(clock.now()).values():
        email_queue(
            to=director.email,
            template="emails/governance/meeting_called",
            context={"meeting": meeting, "url": url, "name": director.get_short_name()},
            purpose="governance.meeting_called",
            subject_ref=meeting.audit_ref,
        )


def agenda_item_add(*, meeting: Meeting, title: str, body: str = "", actor: Any) -> AgendaItem:
    require(permissions.can_record_meeting(actor, meeting), _("Only the secretary keeps a meeting's agenda."))
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != MeetingStatus.SCHEDULED:
            raise Conflict(_("The agenda of a meeting that was held cannot change."), code="meeting_held")
        position = (locked.agenda_items.aggregate(m=Max("position"))["m"] or 0) + 1
        item = AgendaItem.objects.create(meeting=locked, position=position, title=title, body=body)
        audit_record(actor=actor, action="meeting.agenda_item_added", obj=locked, data={"position": position})
    return item


def directors_at(at: dt.datetime) -> dict[int, Any]:
    """The directors in office at ``at``, by user id."""
    return {h.person_id: h.person for h in SeatHolding.objects.active(at).select_related("person")}


def attendance_record(
    *, meeting: Meeting, entries: Iterable[tuple[Any, str, str]], actor: Any
) -> list[Attendance]:
    """Record who was present, absent or invited; directors not listed are absent.

    ``entries`` are ``(person, status, note)``. Whether each person was a director is
    fixed from the seats at the meeting's time, so quorum is computed, never typed.
    """
    require(
        permissions.can_record_meeting(actor, meeting),
        _("Only the secretary records a meeting's attendance."),
    )
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.kind == MeetingKind.WRITTEN_CONSENT:
            raise ValidationFailed(_("A written consent has no attendance."), code="written_consent")
        if locked.decisions.exists():
            raise Conflict(
                _(
                    "The attendance of “%(meeting)s” cannot change: decisions were recorded with it, and their quorum was computed from it."
                )
                % {"meeting": locked.title},
                code="decisions_recorded",
            )
        directors = directors_at(locked.scheduled_at)
        rows: dict[int, Attendance] = {}
        for person, status, note in entries:
            if status not in AttendanceStatus.values:
                raise ValidationFailed(_("Unknown attendance status."), code="invalid_status")
            is_director = person.pk in directors
            if is_director and status == AttendanceStatus.GUEST:
                raise ValidationFailed(
                    _("%(person)s is a director and cannot attend as a non-voting guest.")
                    % {"person": person},
                    code="director_as_guest",
                )
            rows[person.pk] = Attendance(
                meeting=locked, person=person, status=status, is_director=is_director, note=note[:200]
            )
        for pk, director in directors.items():
            rows.setdefault(
                pk,
                Attendance(meeting=locked, person=director, status=AttendanceStatus.ABSENT, is_director=True),
            )
        Attendance.objects.filter(meeting=locked).delete()
        created = Attendance.objects.bulk_create(rows.values())
        if locked.scheduled_at <= clock.now():
            locked.status = MeetingStatus.HELD
            locked.save(update_fields=["status"])
        present = sum(1 for a in created if a.is_director and a.status == AttendanceStatus.PRESENT)
        audit_record(
            actor=actor,
            action="meeting.attendance_recorded",
            obj=locked,
            data={
                "present": sorted(
                    a.person.audit_ref for a in created if a.status == AttendanceStatus.PRESENT
                ),
                "absent": sorted(a.person.audit_ref for a in created if a.status == AttendanceStatus.ABSENT),
                "guests": sorted(a.person.audit_ref for a in created if a.status == AttendanceStatus.GUEST),
                "directors_present": present,
                "directors_in_office": len(directors),
            },
        )
    return created


def _search_text(meeting: Meeting, body: str) -> str:
    return f"{meeting.title}\n{body}"


def minutes_draft(*, meeting: Meeting, body_md: str, actor: Any) -> Minutes:
    """Write or update the draft minutes; the first draft takes the next number."""
    require(permissions.can_draft_minutes(actor), _("Only the secretary drafts the minutes."))
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        minutes = Minutes.objects.select_for_update().filter(meeting=locked).first()
        if minutes is None:
            last = Minutes.objects.select_for_update().order_by("-number").first()
            minutes = Minutes(meeting=locked, number=(last.number if last else 0) + 1)
        elif minutes.status != MinutesStatus.DRAFT:
            raise Conflict(
                _(
                    "Minutes no. %(number)s were approved and can no longer be edited; publish them, then correct them with a new version."
                )
                % {"number": minutes.number},
                code="minutes_not_draft",
            )
        minutes.draft_md = body_md
        minutes.updated_at = clock.now()
        minutes.search_text = _search_text(locked, body_md)
        minutes.save()
        audit_record(
            actor=actor,
            action="minutes.drafted",
            obj=minutes,
            data={"sha256": hashlib.sha256(body_md.encode()).hexdigest()},
        )
    return minutes


def _add_version(*, minutes: Minutes, body_md: str, reason: str, actor: Any, action: str) -> MinutesVersion:
    at = clock.now()
    version_no = minutes.current_version + 1
    version = MinutesVersion.objects.create(
        minutes=minutes,
        version=version_no,
        body_md=body_md,
        body_html=render_markdown(body_md),
        reason=reason,
        published_at=at,
        published_by=actor,
        audit_head_hash="",
    )
    audit_record(
        actor=actor,
        action=action,
        obj=minutes,
        data={
            "version": version_no,
            "sha256": hashlib.sha256(body_md.encode()).hexdigest(),
            "reason": reason,
        },
    )
    # The head now is the entry that records this publication: the page shows it (seq and
    # hash), and it joins the published heads, so a copy kept outside Charter can later
    # prove that the chain still reaches it (verify_audit_chain --heads).
    version.audit_head_seq, version.audit_head_hash = audit_head()
    version.save(update_fields=["audit_head_seq", "audit_head_hash"])
    audit_publish_head(reason="minutes")
    Minutes.objects.filter(pk=minutes.pk).update(
        current_version=version_no,
        status=MinutesStatus.PUBLISHED,
        published_at=minutes.published_at or at,
        updated_at=at,
        search_text=_search_text(minutes.meeting, body_md),
    )
    return version


def minutes_publish(*, minutes: Minutes, actor: Any) -> MinutesVersion:
    """Publish approved minutes as version 1."""
    require(permissions.can_publish_minutes(actor, minutes), _("Only the secretary publishes the minutes."))
    with transaction.atomic():
        locked = (
            Minutes.objects.select_for_update(of=("self",))
            .select_related("meeting", "approved_by")
            .get(pk=minutes.pk)
        )
        if locked.status == MinutesStatus.PUBLISHED:
            raise Conflict(
                _("Minutes no. %(number)s are already published.") % {"number": locked.number},
                code="published",
            )
        if locked.status != MinutesStatus.APPROVED or locked.approved_by is None:
            raise Conflict(
                _(
                    "Minutes no. %(number)s cannot be published: they have not been approved by a decision at a later meeting."
                )
                % {"number": locked.number},
                code="minutes_not_approved",
            )
        version = _add_version(
            minutes=locked, body_md=locked.draft_md, reason="", actor=actor, action="minutes.published"
        )
        change_record(
            item_type="minutes",
            item_label=str(locked),
            url=reverse("governance:minutes_detail", args=[locked.number]),
            summary=_("Published"),
            reason=_("Approved by %(ref)s") % {"ref": locked.approved_by.reference},
        )
    return version


def minutes_correct(*, minutes: Minutes, body_md: str, reason: str, actor: Any) -> MinutesVersion:
    """Publish a corrected text as a new version; the earlier ones stay visible."""
    require(permissions.can_publish_minutes(actor, minutes), _("Only the secretary corrects the minutes."))
    if not reason.strip():
        raise ValidationFailed(
            _("A correction needs a reason, shown in the public history."), code="reason_required"
        )
    with transaction.atomic():
        locked = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
        if locked.status != MinutesStatus.PUBLISHED:
            raise Conflict(
                _("Minutes no. %(number)s are not published yet: edit the draft instead.")
                % {"number": locked.number},
                code="minutes_not_published",
            )
        current = locked.versions.get(version=locked.current_version)
        if current.body_md == body_md:
            raise ValidationFailed(
                _("The corrected text is the same as the published one."), code="unchanged"
            )
        version = _add_version(
            minutes=locked, body_md=body_md, reason=reason.strip(), actor=actor, action="minutes.corrected"
        )
        change_record(
            item_type="minutes",
            item_label=str(locked),
            url=reverse("governance:minutes_detail", args=[locked.number]),
            summary=_("Corrected (version %(version)s)") % {"version": version.version},
            reason=reason.strip(),
        )
    return version
