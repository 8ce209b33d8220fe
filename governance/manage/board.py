"""Managing the board under /manage/governance/board/: seats, officers, committees, declarations.

The secretary and the chair (``can_manage_board``) keep the board; each director and
officer files their own conflict-of-interest declaration (``can_declare_conflicts``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import permission_required
from core.views.errors import domain_errors
from governance import permissions
from governance.forms import CommitteeMemberForm, DeclarationForm, OfficerForm, SeatFillForm, VacateForm
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


@permission_required(permissions.can_manage_board)
def board(request: HttpRequest) -> HttpResponse:
    return _page(request)


@permission_required(permissions.can_manage_board)
@require_POST
def seat_fill(request: HttpRequest) -> HttpResponse:
    vacant = Seat.objects.filter(abolished_at__isnull=True, vacant_since__isnull=False)
    form = SeatFillForm(request.POST, vacant=vacant)
    if form.is_valid():
        declared = form.cleaned_data["employer"]
        with domain_errors(request, form) as outcome:
            board_services.seat_fill(
                seat=form.cleaned_data["seat"],
                person=form.cleaned_data["person"],
                employer=declared.employer,
                independent=declared.independent,
                source=form.cleaned_data["source"],
                decision=form.cleaned_data["decision"],
                actor=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Seat filled."))
            return redirect("governance_manage:board")
    return _page(request, fill_form=form)


@permission_required(permissions.can_manage_board)
@require_POST
def seat_vacate(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(SeatHolding, pk=pk)
    form = VacateForm(request.POST)
    if form.is_valid():
        with domain_errors(request) as outcome:
            board_services.seat_vacate(
                holding=holding,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        if outcome.ok:
            messages.success(request, _("The seat is vacant."))
    return redirect("governance_manage:board")


@permission_required(permissions.can_manage_board)
@require_POST
def officer_appoint(request: HttpRequest) -> HttpResponse:
    form = OfficerForm(request.POST)
    if form.is_valid():
        with domain_errors(request, form) as outcome:
            board_services.officer_appoint(
                person=form.cleaned_data["person"], role=form.cleaned_data["role"], actor=request.user
            )
        if outcome.ok:
            messages.success(request, _("Officer appointed."))
            return redirect("governance_manage:board")
    return _page(request, officer_form=form)


@permission_required(permissions.can_manage_board)
@require_POST
def committee_member_add(request: HttpRequest) -> HttpResponse:
    form = CommitteeMemberForm(request.POST)
    if form.is_valid():
        with domain_errors(request, form) as outcome:
            committee_services.committee_member_add(
                committee=form.cleaned_data["committee"],
                person=form.cleaned_data["person"],
                is_chair=form.cleaned_data["is_chair"],
                actor=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Committee member added."))
            return redirect("governance_manage:board")
    return _page(request, committee_form=form)


@permission_required(permissions.can_manage_board)
@require_POST
def required_seats(request: HttpRequest) -> HttpResponse:
    with domain_errors(request) as outcome:
        created = board_services.board_ensure_required_seats(actor=request.user)
    if outcome.ok:
        messages.success(request, _("%(count)s seat(s) created.") % {"count": len(created)})
    return redirect("governance_manage:board")


@permission_required(permissions.can_declare_conflicts)
def declaration(request: HttpRequest) -> HttpResponse:
    """A director files their yearly conflict-of-interest declaration."""
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            committee_services.conflict_declaration_file(
                person=request.user, interests=form.cleaned_data["interests"], actor=request.user
            )
        if outcome.ok:
            messages.success(request, _("Declaration filed. Thank you."))
            return redirect("governance_manage:index")
    return render(request, "governance/manage/declaration.html", {"form": form})
