"""The election committee's pages under /manage/elections/ (two-factor enforced by middleware).

Observers named by the board see these pages but every form is hidden from them and
every POST refuses them (``can_run_election``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from elections import permissions
from elections.forms import CorrectionForm, DisputeDecisionForm, ElectionForm, ReasonForm
from elections.models import Dispute, Election, RollCorrection
from elections.rules import election_rules_for
from elections.selectors import election_turnout, nominations_by, public_candidates
from elections.services import ballots as ballot_services
from elections.services import lifecycle
from elections.services import results as result_services
from elections.services import roll as roll_services
from elections.services.reminders import unreached_voters
from members.models import Membership


def _require(check: Callable[..., bool], user: Any, obj: Any = None) -> None:
    if not check(user, obj):
        raise PermissionDenied(_("Your role does not allow this."))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_committee_pages, request.user)
    form = ElectionForm(request.POST or None)
    if request.method == "POST":
        _require(permissions.can_run_election, request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                election = lifecycle.election_create(
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
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Election scheduled."))
                return redirect("elections_manage:detail", slug=election.slug)
    return render(
        request,
        "elections/manage/index.html",
        {
            "elections": Election.objects.select_related("rule_set").order_by("-voting_opens_at"),
            "form": form,
            "can_run": permissions.can_run_election(request.user),
        },
    )


def _with_decision_forms(disputes: Any) -> list[Dispute]:
    listed = list(disputes)
    for dispute in listed:
        dispute.form = DisputeDecisionForm(prefix=f"d{dispute.pk}")  # type: ignore[attr-defined]
    return listed


@login_required
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    election = get_object_or_404(Election.objects.select_related("rule_set"), slug=slug)
    _require(permissions.can_view_committee_pages, request.user, election)
    rules = election_rules_for(rule_set=election.rule_set)
    return render(
        request,
        "elections/manage/detail.html",
        {
            "election": election,
            "rules": rules,
            "turnout": election_turnout(election=election, rules=rules) if election.roll_frozen_at else None,
            "candidates": public_candidates(election=election),
            "nominations": nominations_by(election=election),
            "corrections": RollCorrection.objects.filter(election=election).select_related("membership"),
            "disputes": _with_decision_forms(Dispute.objects.filter(election=election)),
            "unreached": unreached_voters(election=election),
            "correction_form": CorrectionForm(),
            "reason_form": ReasonForm(),
            "can_run": permissions.can_run_election(request.user, election),
            "can_certify": permissions.can_certify_election(request.user, election),
        },
    )


def _act(
    request: HttpRequest, slug: str, check: Callable[..., bool], action: Callable[[Election], Any], done: str
) -> HttpResponse:
    election = get_object_or_404(Election, slug=slug)
    _require(check, request.user, election)
    try:
        action(election)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("elections_manage:detail", slug=slug)


@login_required
@require_POST
def cancel(request: HttpRequest, slug: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    return _act(
        request,
        slug,
        permissions.can_run_election,
        lambda e: lifecycle.election_cancel(election=e, reason=reason, actor=request.user),
        _("Election cancelled."),
    )


@login_required
@require_POST
def close(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(
        request,
        slug,
        permissions.can_run_election,
        lambda e: ballot_services.election_close_voting(election=e, actor=request.user),
        _("Voting closed."),
    )


@login_required
@require_POST
def recount(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(
        request,
        slug,
        permissions.can_run_election,
        lambda e: result_services.election_recount(election=e, actor=request.user),
        _("Counted again."),
    )


@login_required
@require_POST
def certify(request: HttpRequest, slug: str) -> HttpResponse:
    return _act(
        request,
        slug,
        permissions.can_certify_election,
        lambda e: result_services.election_certify(election=e, actor=request.user),
        _("Result certified; the elected take their seats."),
    )


ROLL_FILTERS = {
    "all": lambda line: True,
    "left_off": lambda line: not line.eligible,
    "corrected": lambda line: line.corrected,
}


@login_required
def roll(request: HttpRequest, slug: str) -> HttpResponse:
    """The provisional roll as the committee reviews it: every line, who is left off and why."""
    election = get_object_or_404(Election, slug=slug)
    _require(permissions.can_view_committee_pages, request.user, election)
    if election.roll_frozen_at is not None:
        return redirect("elections_manage:detail", slug=election.slug)
    show = request.GET.get("show", "all")
    keep = ROLL_FILTERS.get(show, ROLL_FILTERS["all"])
    lines = [line for line in roll_services.roll_lines(election=election) if keep(line)]
    page_obj = Paginator(lines, 100).get_page(request.GET.get("page"))
    numbers = [line.member_number for line in page_obj]
    names = {
        m.number: m.public_name
        for m in Membership.objects.filter(number__in=numbers).select_related("user", "organisation")
    }
    return render(
        request,
        "elections/manage/roll.html",
        {
            "election": election,
            "page_obj": page_obj,
            "rows": [(line, names.get(line.member_number, "")) for line in page_obj],
            "show": show,
            "left_off": sum(1 for line in lines if not line.eligible) if show == "all" else None,
        },
    )


@login_required
@require_POST
def correct(request: HttpRequest, slug: str) -> HttpResponse:
    election = get_object_or_404(Election, slug=slug)
    _require(permissions.can_run_election, request.user, election)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a member number, a correction and a reason."))
        return redirect("elections_manage:detail", slug=slug)
    membership = Membership.objects.filter(number=form.cleaned_data["member_number"].strip().upper()).first()
    if membership is None:
        messages.error(request, _("No member has this number."))
        return redirect("elections_manage:detail", slug=slug)
    return _act(
        request,
        slug,
        permissions.can_run_election,
        lambda e: roll_services.roll_correct(
            election=e,
            membership=membership,
            action=form.cleaned_data["action"],
            weight=form.cleaned_data["weight"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        ),
        _("Roll corrected."),
    )


@login_required
@require_POST
def dispute_decide(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(Dispute.objects.select_related("election"), pk=pk)
    _require(permissions.can_decide_dispute, request.user, dispute)
    form = DisputeDecisionForm(request.POST, prefix=f"d{dispute.pk}")
    if not form.is_valid():
        messages.error(request, _("Please choose a decision and give a reason."))
    else:
        try:
            result_services.dispute_decide(
                dispute=dispute,
                upheld=form.cleaned_data["upheld"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Dispute decided."))
    return redirect("elections_manage:detail", slug=dispute.election.slug)
