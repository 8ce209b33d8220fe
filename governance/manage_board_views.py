"""Managing the board under /manage/governance/board/: seats, officers, committees, declarations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from governance import permissions
from governance.forms import CommitteeMemberForm, DeclarationForm, OfficerForm, SeatFillForm, VacateForm
from governance.manage_views import _require
from governance.models import Seat, SeatHolding
from governance.selectors import board_today
from governance.services import board as board_services
from governance.services import committees as committee_services


def _page(request: HttpRequest, **forms: object) -> HttpResponse:
    vacant = Seat.objects.filter(abolished_at__isnull=True, vacant_since__isnull=False).select_related(
        "cohort"
    )
    context = {
        "board": board_today(),
        "fill_form": SeatFillForm(vacant=vacant),
        "vacate_form": VacateForm(),
        "officer_form": OfficerForm(),
        "committee_form": CommitteeMemberForm(),
        **forms,
    }
    return render(request, "governance/manage/board.html", context)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_board, request.user)
    return _page(request)


@login_required
@require_POST
def seat_fill(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_board, request.user)
    vacant = Seat.objects.filter(abolished_at__isnull=True, vacant_since__isnull=False)
    form = SeatFillForm(request.POST, vacant=vacant)
    if form.is_valid():
        try:
            board_services.seat_fill(
                seat=form.cleaned_data["seat"],
                person=form.cleaned_data["person"],
                employer=form.cleaned_data["employer"],
                source=form.cleaned_data["source"],
                decision=form.cleaned_data["decision"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Seat filled."))
            return redirect("governance_manage:board")
    return _page(request, fill_form=form)


@login_required
@require_POST
def seat_vacate(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_board, request.user)
    holding = get_object_or_404(SeatHolding, pk=pk)
    form = VacateForm(request.POST)
    if form.is_valid():
        try:
            board_services.seat_vacate(
                holding=holding,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The seat is vacant."))
    return redirect("governance_manage:board")


@login_required
@require_POST
def officer_appoint(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_board, request.user)
    form = OfficerForm(request.POST)
    if form.is_valid():
        try:
            board_services.officer_appoint(
                person=form.cleaned_data["person"], role=form.cleaned_data["role"], actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Officer appointed."))
            return redirect("governance_manage:board")
    return _page(request, officer_form=form)


@login_required
@require_POST
def committee_member_add(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_board, request.user)
    form = CommitteeMemberForm(request.POST)
    if form.is_valid():
        try:
            committee_services.committee_member_add(
                committee=form.cleaned_data["committee"],
                person=form.cleaned_data["person"],
                is_chair=form.cleaned_data["is_chair"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Committee member added."))
            return redirect("governance_manage:board")
    return _page(request, committee_form=form)


@login_required
@require_POST
def required_seats(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_board, request.user)
    created = board_services.board_ensure_required_seats(actor=request.user)
    messages.success(request, _("%(count)s seat(s) created.") % {"count": len(created)})
    return redirect("governance_manage:board")


@login_required
def declaration(request: HttpRequest) -> HttpResponse:
    """A director files their yearly conflict-of-interest declaration."""
    _require(permissions.can_read_drafts, request.user)
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        committee_services.conflict_declaration_file(
            person=request.user, interests=form.cleaned_data["interests"], actor=request.user
        )
        messages.success(request, _("Declaration filed. Thank you."))
        return redirect("governance_manage:index")
    return render(request, "governance/manage/declaration.html", {"form": form})
