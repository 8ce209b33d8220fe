"""Scheduling elections, the committee's view of one, and its actions: cancel, close, recount, certify."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.access import permission_required
from core.views.errors import domain_errors
from elections import permissions
from elections.forms import CertifyForm, CorrectionForm, DisputeDecisionForm, ElectionForm, ReasonForm
from elections.models import Dispute, Election, ElectionState, RollCorrection
from elections.rules import election_rules_for
from elections.selectors import certification_preview, election_turnout, nominations_by, public_candidates
from elections.services.ballots import election_close_voting
from elections.services.lifecycle import election_cancel, election_create
from elections.services.reminders import unreached_voters
from elections.services.results import election_certify, election_recount
from elections.views import election_or_404


def _index(request: HttpRequest, form: ElectionForm) -> HttpResponse:
    return render(
        request,
        "elections/manage/index.html",
        {
            "elections": Election.objects.select_related("rule_set").order_by("-voting_opens_at"),
            "form": form,
            "can_run": permissions.can_run_election(request.user),
        },
        status=400 if form.errors else 200,
    )


@permission_required(permissions.can_view_committee_pages)
def index(request: HttpRequest) -> HttpResponse:
    """The elections, and (for the committee, not observers) the form to schedule one."""
    if request.method == "POST":
        return _schedule(request)
    return _index(request, ElectionForm())


@permission_required(permissions.can_run_election)
def _schedule(request: HttpRequest) -> HttpResponse:
    form = ElectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with domain_errors(request, form) as outcome:
            election = election_create(
                slug=data["slug"],
                title=data["title"],
                description=data["description"],
                seats=list(data["seats"]),
                cohort=data["cohort"],
                method=data["method"],
                approval_max_marks=data["approval_max_marks"],
                record_date=data["record_date"],
                voting_opens_at=data["voting_opens_at"],
                voting_closes_at=data["voting_closes_at"],
                actor=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Election scheduled."))
            return redirect("elections_manage:detail", slug=election.slug)
    return _index(request, form)


def _with_decision_forms(disputes: Any) -> list[Dispute]:
    listed = list(disputes)
    for dispute in listed:
        dispute.form = DisputeDecisionForm(prefix=f"d{dispute.pk}")  # type: ignore[attr-defined]
    return listed


@permission_required(permissions.can_view_committee_pages)
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, election_or_404(slug))


def _detail(
    request: HttpRequest, election: Election, *, certify_form: CertifyForm | None = None
) -> HttpResponse:
    rules = election_rules_for(rule_set=election.rule_set)
    counted = election.state == ElectionState.COUNTED
    return render(
        request,
        "elections/manage/detail.html",
        {
            # The certify step shows who would take which seat, and when, before the chair confirms.
            "winners": certification_preview(election=election) if counted else [],
            "certify_form": certify_form or CertifyForm(),
            "election": election,
            "rules": rules,
            # Live while the marks exist; after the close the public page shows the frozen totals.
            "turnout": election_turnout(election=election, rules=rules)
            if election.roll_frozen_at and election.closed_at is None and election.state != "cancelled"
            else None,
            "candidates": public_candidates(election=election),
            "nominations": nominations_by(election=election),
            "corrections": RollCorrection.objects.filter(election=election).select_related("membership"),
            "disputes": _with_decision_forms(Dispute.objects.filter(election=election)),
            "unreached": unreached_voters(election=election),
            "correction_form": CorrectionForm(),
            "reason_form": ReasonForm(),
            "can_run": permissions.can_run_election(request.user, election),
            "can_certify": permissions.can_certify_election(request.user, election),
            "record_date_passed": election.roll_frozen_at is None
            and not election.is_finished
            and clock.now() >= election.record_date,
        },
        status=400 if certify_form is not None and certify_form.errors else 200,
    )


def _act(request: HttpRequest, slug: str, action: Callable[[Election], Any], done: str) -> HttpResponse:
    """Run one committee action on the election and go back to its page with the outcome."""
    election = election_or_404(slug)
    with domain_errors(request) as outcome:
        action(election)
    if outcome.ok:
        messages.success(request, done)
    return redirect("elections_manage:detail", slug=slug)


@permission_required(permissions.can_run_election)
@require_POST
def cancel(request: HttpRequest, slug: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        slug,
        lambda e: election_cancel(election=e, reason=reason, actor=request.user),
        _("Election cancelled."),
    )


@permission_required(permissions.can_run_election)
@require_POST
def close(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(
        request,
        slug,
        lambda e: election_close_voting(election=e, actor=request.user),
        _("Voting closed."),
    )


@permission_required(permissions.can_run_election)
@require_POST
def recount(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(
        request,
        slug,
        lambda e: election_recount(election=e, actor=request.user),
        _("Counted again."),
    )


@permission_required(permissions.can_certify_election)
@require_POST
def certify(request: HttpRequest, slug: str) -> HttpResponse:
    """Certify, once the chair has ticked the box confirming the winners shown on the page."""
    form = CertifyForm(request.POST)
    if not form.is_valid():
        return _detail(request, election_or_404(slug), certify_form=form)
    return _act(
        request,
        slug,
        lambda e: election_certify(election=e, actor=request.user),
        _("Result certified."),
    )
