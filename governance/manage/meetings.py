"""The board's meetings under /manage/governance/: calling them, attendance, decisions, minutes.

Views parse input, check permission (``permission_required`` with a ``can_*`` of
``governance.permissions``), call one service and respond; a refused service call
shows its message on the form (``domain_errors``). Two-factor authentication is
enforced for these pages by the middleware.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import clock
from core.access import permission_required
from core.views.errors import domain_errors
from governance import permissions
from governance.forms import AttendanceForm, CorrectionForm, DecisionForm, MeetingForm, MinutesForm
from governance.markdown import render_markdown
from governance.models import (
    Attendance,
    AttendanceStatus,
    ConsentStatus,
    Decision,
    Meeting,
    Minutes,
    MinutesStatus,
    PolicyVersion,
    WrittenConsent,
)
from governance.services import decisions as decision_services
from governance.services import meetings as meeting_services
from governance.services.minutes_prefill import minutes_prefill
from governance.voting import quorum_count, quorum_required


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(Meeting, pk=pk)


def _minutes(request: HttpRequest, number: int) -> Minutes:
    return get_object_or_404(Minutes.objects.select_related("meeting"), number=number)


@permission_required(permissions.can_open_board_pages)
def index(request: HttpRequest) -> HttpResponse:
    meetings = Meeting.objects.select_related("minutes").order_by("-scheduled_at")[:50]
    drafts = Minutes.objects.exclude(status=MinutesStatus.PUBLISHED).select_related("meeting")
    return render(
        request,
        "governance/manage/index.html",
        {
            "meetings": meetings,
            "drafts": drafts,
            "can_call": permissions.can_call_meeting(request.user),
            "can_propose": permissions.can_propose_written_consent(request.user),
            "consents": WrittenConsent.objects.filter(status=ConsentStatus.OPEN).order_by("deadline"),
            "can_manage": permissions.can_manage_board(request.user),
        },
    )


@permission_required(permissions.can_call_meeting)
def meeting_create(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            meeting = meeting_services.meeting_create(
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                scheduled_at=form.cleaned_data["scheduled_at"],
                location=form.cleaned_data["location"],
                agenda=form.agenda_items(),
                actor=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Meeting called."))
            return redirect("governance_manage:meeting", pk=meeting.pk)
    return render(request, "governance/manage/meeting_form.html", {"form": form})


@permission_required(permissions.can_open_board_pages)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("rule_set", "called_by"), pk=pk)
    attendance = list(Attendance.objects.filter(meeting=meeting).select_related("person"))
    minutes = Minutes.objects.filter(meeting=meeting).first()
    directors = [a for a in attendance if a.is_director]
    present = sum(1 for a in directors if a.status == "present")
    required = quorum_required(meeting.rule_set, len(directors))
    return render(
        request,
        "governance/manage/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda_items.all(),
            "attendance": attendance,
            "quorum": {
                "in_office": len(directors),
                "present": present,
                "required": required,
                "reached": quorum_count(meeting.rule_set, present=present, recused=0) >= required,
            },
            "decisions": Decision.objects.filter(meeting=meeting).order_by("number"),
            "minutes": minutes,
            "draft_html": render_markdown(minutes.draft_md) if minutes else "",
            "can_record": permissions.can_record_meeting(request.user, meeting),
            "can_draft": permissions.can_draft_minutes(request.user),
            "can_publish": permissions.can_publish_minutes(request.user),
        },
    )


@permission_required(permissions.can_record_meeting, obj=_meeting)
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    directors = sorted(meeting_services.directors_at(meeting.scheduled_at).values(), key=str)
    form = AttendanceForm(request.POST or None, directors=directors)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            meeting_services.attendance_record(meeting=meeting, entries=form.entries(), actor=request.user)
        if outcome.ok:
            messages.success(request, _("Attendance recorded."))
            return redirect("governance_manage:meeting", pk=meeting.pk)
    return render(request, "governance/manage/attendance_form.html", {"form": form, "meeting": meeting})


@permission_required(permissions.can_record_meeting, obj=_meeting)
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    directors = sorted(meeting_services.directors_at(meeting.scheduled_at).values(), key=str)
    absent = set(
        Attendance.objects.filter(
            meeting=meeting, is_director=True, status=AttendanceStatus.ABSENT
        ).values_list("person_id", flat=True)
    )
    form = DecisionForm(
        request.POST or None,
        directors=directors,
        absent=absent,
        minutes_qs=Minutes.objects.filter(
            status=MinutesStatus.DRAFT, meeting__scheduled_at__lt=meeting.scheduled_at
        ).select_related("meeting"),
        versions_qs=PolicyVersion.objects.filter(adopted_at__isnull=True).select_related("policy"),
    )
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            decision = decision_services.decision_record(
                meeting=meeting,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                votes=form.votes(),
                approves_minutes=form.cleaned_data["approves_minutes"],
                adopts_policy_version=form.cleaned_data["adopts_policy_version"],
                actor=request.user,
            )
        if outcome.ok:
            messages.success(
                request,
                _("Decision %(ref)s recorded: %(outcome)s.")
                % {"ref": decision.reference, "outcome": decision.get_outcome_display()},
            )
            return redirect("governance_manage:meeting", pk=meeting.pk)
    return render(request, "governance/manage/decision_form.html", {"form": form, "meeting": meeting})


@permission_required(permissions.can_draft_minutes, obj=_meeting)
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    existing = Minutes.objects.filter(meeting=meeting).first()
    # A first draft starts from the meeting's record (agenda, attendance, decisions).
    initial = (
        existing.draft_md if existing and existing.draft_md.strip() else minutes_prefill(meeting=meeting)
    )
    form = MinutesForm(request.POST or None, initial={"body_md": initial})
    preview_html = ""
    if request.method == "POST" and "preview" in request.POST:
        # Preview: render what was typed, save nothing, show the form again below it.
        if form.is_valid():
            preview_html = render_markdown(form.cleaned_data["body_md"])
    elif request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            meeting_services.minutes_draft(
                meeting=meeting, body_md=form.cleaned_data["body_md"], actor=request.user
            )
        if outcome.ok:
            messages.success(request, _("Draft minutes saved."))
            return redirect("governance_manage:meeting", pk=meeting.pk)
    return render(
        request,
        "governance/manage/minutes_form.html",
        {"form": form, "meeting": meeting, "preview_html": preview_html, "is_new": existing is None},
    )


@permission_required(permissions.can_publish_minutes, obj=_minutes)
def minutes_publish(request: HttpRequest, number: int) -> HttpResponse:
    """GET asks for confirmation (showing the text to be published); POST with ``confirm`` publishes."""
    minutes = _minutes(request, number)
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(
            request,
            "governance/manage/minutes_publish.html",
            {"minutes": minutes, "draft_html": render_markdown(minutes.draft_md)},
        )
    with domain_errors(request) as outcome:
        meeting_services.minutes_publish(minutes=minutes, actor=request.user)
    if not outcome.ok:
        return redirect("governance_manage:meeting", pk=minutes.meeting_id)
    messages.success(request, _("Minutes published."))
    return redirect("governance:minutes_detail", number=minutes.number)


@permission_required(permissions.can_publish_minutes, obj=_minutes)
def minutes_correct(request: HttpRequest, number: int) -> HttpResponse:
    minutes = _minutes(request, number)
    current = minutes.versions.filter(version=minutes.current_version).first()
    form = CorrectionForm(request.POST or None, initial={"body_md": current.body_md if current else ""})
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            meeting_services.minutes_correct(
                minutes=minutes,
                body_md=form.cleaned_data["body_md"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Correction published."))
            return redirect("governance:minutes_detail", number=minutes.number)
    return render(
        request,
        "governance/manage/minutes_correct.html",
        {"form": form, "minutes": minutes, "now": clock.now()},
    )
