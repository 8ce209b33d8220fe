"""The provisional roll as the committee reviews it, and its corrections."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import permission_required
from core.views.errors import domain_errors
from elections import permissions
from elections.forms import CorrectionForm
from elections.models import Election, RollEntry
from elections.services.roll import (
    RollLine,
    listed_numbers,
    published_token,
    roll_correct,
    roll_lines,
    roll_lines_without_voter,
)
from elections.services.strikes import struck_reason_label
from elections.views import election_or_404
from members.models import Membership

ROLL_FILTERS = {
    "all": lambda line: True,
    "left_off": lambda line: not line.eligible,
    "corrected": lambda line: line.corrected,
    # "no_voter": organisations nobody could vote for (computed per request, see ``roll``).
}


@permission_required(permissions.can_view_committee_pages)
def roll(request: HttpRequest, slug: str) -> HttpResponse:
    """Every line of the provisional roll, who is left off and why, and the organisations nobody
    could vote for (the freeze refuses until they are fixed). Once frozen: the lines struck since."""
    election = election_or_404(slug)
    if election.roll_frozen_at is not None:
        return _frozen(request, election)
    show = request.GET.get("show", "all")
    every = roll_lines(election=election)
    voterless = roll_lines_without_voter(election=election, lines=every)
    without_voter = {line.member_number for line in voterless}
    keep = ROLL_FILTERS.get(show, ROLL_FILTERS["all"])
    if show == "no_voter":
        keep = lambda line: line.member_number in without_voter  # noqa: E731
    lines: list[RollLine] = [line for line in every if keep(line)]
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
            "rows": [
                (line, names.get(line.member_number, ""), line.member_number in without_voter)
                for line in page_obj
            ],
            "show": show,
            "voterless": voterless,
            "left_off": sum(1 for line in lines if not line.eligible) if show == "all" else None,
        },
    )


def _frozen(request: HttpRequest, election: Election) -> HttpResponse:
    """The frozen roll's lines struck since the freeze, with the reason (a member suspended)."""
    struck = list(RollEntry.objects.filter(election=election, struck=True).order_by("member_number"))
    names = {
        m.number: m.public_name
        for m in Membership.objects.filter(number__in=[e.member_number for e in struck]).select_related(
            "user", "organisation"
        )
    }
    return render(
        request,
        "elections/manage/roll_frozen.html",
        {
            "election": election,
            "struck": [
                (entry, names.get(entry.member_number, ""), struck_reason_label(entry.struck_reason))
                for entry in struck
            ],
        },
    )


@permission_required(permissions.can_run_election)
@require_POST
def correct(request: HttpRequest, slug: str) -> HttpResponse:
    election = election_or_404(slug)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a member number, a correction and a reason."))
        return redirect("elections_manage:detail", slug=slug)
    membership = Membership.objects.filter(number=form.cleaned_data["member_number"].strip().upper()).first()
    if membership is None:
        messages.error(request, _("No member has this number."))
        return redirect("elections_manage:detail", slug=slug)
    with domain_errors(request) as outcome:
        roll_correct(
            election=election,
            membership=membership,
            action=form.cleaned_data["action"],
            weight=form.cleaned_data["weight"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    if outcome.ok:
        messages.success(request, _("Roll corrected."))
    return redirect("elections_manage:detail", slug=slug)


@permission_required(permissions.can_run_election)
def lines(request: HttpRequest, slug: str) -> HttpResponse:
    """Every frozen line with what the public does not see: member number, salt, whether listed.

    ``<published token> <weight> <member number> <salt> <listed|hidden>``, sorted like ``roll.txt``:
    the committee can answer a member who lost their salt and check any line's hash.
    """
    election = election_or_404(slug)
    if election.roll_frozen_at is None or election.roll_purged_at is not None:
        raise Http404
    rows = []
    listed_now = None
    for number, weight, salt, listed in election.roll.values_list(
        "member_number", "weight", "salt", "listed"
    ):
        if listed is None:  # a version 1 roll: the directory decides now
            if listed_now is None:
                from_roll = election.roll.values_list("member_number", flat=True)
                listed_now = listed_numbers(from_roll)
            listed = number in listed_now
        rows.append(
            (published_token(number, salt, listed), weight, number, salt, "listed" if listed else "hidden")
        )
    text = "".join(" ".join(str(x) for x in row) + "\n" for row in sorted(rows))
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
