"""The committee's member pages: the list (with CSV export), who was not reached, and one
member's record. Suspension by board decision lives with the register
(governance/manage/suspensions.py).

Lists run a constant number of queries whatever the number of members (tests pin it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from core import clock
from core.access import permission_required
from core.csv import csv_streaming_response
from core.models import OutgoingEmail
from core.people import names_by_ref
from core.rules import rules_in_force
from members.forms import MemberFilterForm
from members.models import Membership, MembershipClass, MembershipState
from members.permissions import (
    can_export_members,
    can_list_members,
    can_reinstate_member,
    can_suspend_member,
    can_view_not_reached,
)
from members.rights import voting_rights
from members.selectors import member_email, member_queryset, memberships_not_reached, not_reached_reason

S = MembershipState
PAGE_SIZE = 50
CSV_COLUMNS = ["number", "name", "class", "state", "member_since", "expires_at", "email"]


def _classes() -> list[MembershipClass]:
    return list(MembershipClass.objects.filter(rule_set=rules_in_force()).order_by("position", "code"))


def _filters(request: HttpRequest, classes: list[MembershipClass]) -> tuple[MemberFilterForm, dict[str, Any]]:
    form = MemberFilterForm(request.GET or None, classes=classes)
    return form, (form.cleaned_data if form.is_valid() else {})


@permission_required(can_list_members)
def member_list(request: HttpRequest) -> HttpResponse:
    classes = _classes()
    form, filters = _filters(request, classes)
    now = clock.now()
    page_obj = Paginator(member_queryset(filters=filters, at=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    class_names = {c.code: c.name for c in classes}
    rows = [
        {
            "membership": m,
            "name": m.subject_name,
            "email": member_email(m),
            "class_name": class_names.get(m.class_code, m.class_code),
            "not_reached": not_reached_reason(m),
        }
        for m in page_obj.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/manage/members/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": rows,
            "querystring": query.urlencode(),
            "can_export": can_export_members(request.user),
        },
    )


def _csv_rows(qs: QuerySet[Membership], class_names: dict[str, str]) -> Iterator[tuple[Any, ...]]:
    for m in qs.iterator(chunk_size=2000):
        yield (
            m.number,
            m.subject_name,
            class_names.get(m.class_code, m.class_code),
            m.state,
            m.member_since.date() if m.member_since else None,
            m.expires_at.date() if m.expires_at else None,
            member_email(m),
        )


# type-var: permission_required is typed for HttpResponse, not StreamingHttpResponse (core/access.py).
@permission_required(can_export_members)
def member_export(request: HttpRequest) -> StreamingHttpResponse:
    """Streamed through core.csv, which neutralises formulas in text cells (CSV injection)."""
    classes = _classes()
    _form, filters = _filters(request, classes)
    qs = member_queryset(filters=filters, at=clock.now())
    return csv_streaming_response(
        filename=f"members-{clock.today().isoformat()}.csv",
        header=CSV_COLUMNS,
        rows=_csv_rows(qs, {c.code: c.name for c in classes}),
    )


@permission_required(can_view_not_reached)
def not_reached(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(memberships_not_reached(at=clock.now()), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"membership": m, "name": m.subject_name, "reason": not_reached_reason(m)}
        for m in page_obj.object_list
    ]
    return render(
        request,
        "members/manage/members/not_reached.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "not_reached_after_days": rules_in_force().not_reached_after_days,
        },
    )


def _membership(request: HttpRequest, number: str) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation__representative"), number=number
    )


@permission_required(can_list_members)
def member_detail(request: HttpRequest, number: str) -> HttpResponse:
    membership = _membership(request, number)
    classes = {c.code: c for c in _classes()}
    klass = classes.get(membership.class_code)
    events = list(membership.events.order_by("-at", "-id"))
    actors = names_by_ref(event.actor_ref for event in events)
    for event in events:
        event.actor_name = actors.get(event.actor_ref, event.actor_ref)  # type: ignore[attr-defined]
    return render(
        request,
        "members/manage/members/detail.html",
        {
            "membership": membership,
            "name": membership.subject_name,
            "email": member_email(membership),
            "class_name": klass.name if klass else membership.class_code,
            "rights": voting_rights(subject=membership),
            "events": events,
            "reminders": list(membership.reminders.select_related("email").order_by("-sent_at")),
            "emails": list(
                OutgoingEmail.objects.filter(subject_ref=membership.number).order_by("-created_at")[:200]
            ),
            "can_suspend": membership.state != S.SUSPENDED
            and membership.state not in (S.ENDED, S.PENDING)
            and can_suspend_member(request.user, membership),
            "can_reinstate": membership.state == S.SUSPENDED
            and can_reinstate_member(request.user, membership),
        },
    )
