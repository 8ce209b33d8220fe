"""The ballot: mark it, review it, cast it.

Three steps, all server-side so they work without JavaScript: the ballot form posts the
choices to a review page (``action=review``), which shows them in words and carries them in
hidden fields; only the review form casts (``action=cast``), and the cast validates
everything again. ``action=change`` goes back to the ballot with the choices filled in.

The cast view keeps the ballot secret on the web side too: it does not touch the session
and adds no message (the review and the receipt are rendered directly, not through a
redirect; a refused ballot is shown on the form), and the request log names the route,
never the user or the path (core.logs), so nothing records who voted when.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from core.access import permission_required
from core.errors import DomainError
from core.views.errors import domain_errors
from elections import permissions
from elections.forms import BallotForm
from elections.models import Candidate, Election, RollEntry
from elections.selectors import ballot_candidates
from elections.services.ballots import ballot_cast, ballot_check
from elections.services.roll import access_own_roll_entries
from elections.views import election_or_404

ACTIONS = ("review", "cast", "change")


def _chosen_entry(request: HttpRequest, entries: list[RollEntry]) -> RollEntry | None:
    """The vote this ballot is for: the one posted or asked for, else the only one the person has.

    A person with one vote is never asked which (voted or not); a person with several (as a
    member and for organisations they represent) picks one, unless only one is still open.
    """
    entry_id = request.POST.get("entry") or request.GET.get("for") or ""
    if not entry_id:
        open_entries = [e for e in entries if not e.has_voted]
        if len(entries) == 1:
            return entries[0]
        if len(open_entries) == 1:
            return open_entries[0]
    if not entry_id:
        return None
    found = next((e for e in entries if str(e.pk) == entry_id), None)
    if found is None:
        raise Http404(_("You are not on this election's roll."))
    return found


def _in_words(election: Election, candidates: list[Candidate], choices: list[int]) -> dict[str, Any]:
    """The ballot as the review page says it: "1. Ada, 2. Ben; Chen and Dara not ranked"."""
    by_pk = {c.pk: c for c in candidates}
    chosen = [by_pk[pk] for pk in choices if pk in by_pk]
    others = [c.name for c in candidates if c.pk not in set(choices)]
    rest = get_text_list(others, _("and")) if others else ""
    if election.is_ranked:
        order = ", ".join(f"{i}. {c.name}" for i, c in enumerate(chosen, 1))
        if not chosen:
            words = _("You ranked no one: this is a blank vote.")
        elif others:
            words = _("%(order)s; %(rest)s not ranked") % {"order": order, "rest": rest}
        else:
            words = order
    else:
        marked = get_text_list([c.name for c in chosen], _("and"))
        if not chosen:
            words = _("You marked no one: this is a blank vote.")
        elif others:
            words = _("You marked %(marked)s; %(rest)s not marked") % {"marked": marked, "rest": rest}
        else:
            words = _("You marked %(marked)s") % {"marked": marked}
    return {"words": words}


def _already_voted(
    request: HttpRequest, election: Election, entries: list[RollEntry], chosen: RollEntry | None
) -> HttpResponse:
    """No form, and nothing about correcting a ballot: the first ballot for a vote is the only one."""
    others = [e for e in entries if not e.has_voted and (chosen is None or e.pk != chosen.pk)]
    return render(
        request,
        "elections/ballot_already_cast.html",
        {
            "election": election,
            "entries": entries,
            "chosen": chosen,
            "several": len(entries) > 1,
            "others": others,
        },
        status=409 if request.method == "POST" else 200,
    )


@permission_required(permissions.can_cast_ballot)
def ballot(request: HttpRequest, slug: str) -> HttpResponse:
    """The ballot, its review, and the cast (which renders the receipt: no redirect, no session write)."""
    election = election_or_404(slug)
    entries = access_own_roll_entries(election=election, user=request.user)
    candidates = [c for c in ballot_candidates(election=election) if c.stands]
    chosen = _chosen_entry(request, entries)
    if election.is_voting and entries:
        if chosen is not None and chosen.has_voted:
            return _already_voted(request, election, entries, chosen)
        if chosen is None and all(e.has_voted for e in entries):
            return _already_voted(request, election, entries, None)
    posted = request.POST if request.method == "POST" else None
    if posted is not None and not entries:
        raise Http404(_("You are not on this election's roll."))
    action = request.POST.get("action") if posted is not None else ""
    if action not in ACTIONS:
        action = "review"
    form = BallotForm(posted, election=election, candidates=candidates)
    if chosen is not None and form.is_bound and form.is_valid() and action != "change":
        with domain_errors(request, form) as outcome:
            if action == "cast":
                receipt = ballot_cast(
                    election=election, voter=request.user, roll_entry_id=chosen.pk, **form.submitted
                )
            else:
                choices = ballot_check(
                    election=election, voter=request.user, roll_entry_id=chosen.pk, **form.submitted
                )
        if outcome.ok and action == "cast":
            return render(request, "elections/receipt.html", {"election": election, "receipt": receipt})
        if outcome.ok:
            return _review(request, election, entries, chosen, candidates, form, choices)
        if _code(outcome.error) == "already_voted":
            chosen.has_voted = True
            return _already_voted(request, election, entries, chosen)
    errors = [str(e) for e in form.non_field_errors()] if form.is_bound and action != "change" else []
    submitted = form.submitted
    rows = [
        {
            "candidate": c,
            "rank": (submitted.get("ranks") or {}).get(c.pk),
            "marked": c.pk in (submitted.get("marks") or []),
        }
        for c in candidates
    ]
    return render(
        request,
        "elections/ballot.html",
        {
            "election": election,
            "entries": entries,
            "chosen": chosen,
            "rows": rows,
            "rank_choices": list(range(1, len(candidates) + 1)),
            "errors": errors,
            "limit": election.approval_max_marks if election.method == "approval" else election.seats.count(),
        },
        status=400 if errors else 200,
    )


def _code(error: DomainError | None) -> str:
    return getattr(error, "code", "") or ""


def _review(
    request: HttpRequest,
    election: Election,
    entries: list[RollEntry],
    chosen: RollEntry,
    candidates: list[Candidate],
    form: BallotForm,
    choices: list[int],
) -> HttpResponse:
    """The review: the ballot in words, carried in hidden fields to "Cast my ballot" or "Change"."""
    submitted = form.submitted
    if election.is_ranked:
        hidden = [(f"rank-{pk}", rank) for pk, rank in sorted((submitted.get("ranks") or {}).items())]
    else:
        hidden = [("mark", pk) for pk in choices]
    return render(
        request,
        "elections/ballot_review.html",
        {
            "election": election,
            "chosen": chosen,
            "several": len(entries) > 1,
            "hidden": hidden,
            **_in_words(election, candidates, choices),
        },
    )
