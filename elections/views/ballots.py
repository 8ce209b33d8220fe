"""The ballot.

The cast view keeps the ballot secret on the web side too: it does not touch the session
and adds no message (the receipt is rendered directly, not through a redirect; a refused
ballot is shown on the form), and the request log names the route, never the user or the
path (core.logs), so nothing records who voted when.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.access import permission_required
from core.views.errors import domain_errors
from elections import permissions
from elections.forms import BallotForm
from elections.selectors import ballot_candidates
from elections.services.ballots import ballot_cast
from elections.services.roll import access_own_roll_entries
from elections.views import election_or_404


@permission_required(permissions.can_cast_ballot)
def ballot(request: HttpRequest, slug: str) -> HttpResponse:
    """The ballot. A successful cast renders the receipt directly (no redirect, no message, no session write)."""
    election = election_or_404(slug)
    entries = access_own_roll_entries(election=election, user=request.user)
    candidates = [c for c in ballot_candidates(election=election) if c.stands]
    entry_id = request.POST.get("entry") or request.GET.get("for") or ""
    if not entry_id and len([e for e in entries if not e.has_voted]) == 1:
        entry_id = str(next(e.pk for e in entries if not e.has_voted))
    chosen = next((e for e in entries if str(e.pk) == entry_id), None)
    posted = request.POST if request.method == "POST" else None
    form = BallotForm(posted, election=election, candidates=candidates)
    if form.is_bound and form.is_valid():
        with domain_errors(request, form) as outcome:
            receipt = ballot_cast(
                election=election, voter=request.user, roll_entry_id=entry_id, **form.submitted
            )
        if outcome.ok:
            return render(request, "elections/receipt.html", {"election": election, "receipt": receipt})
    error = " ".join(str(e) for e in form.non_field_errors()) if form.is_bound else ""
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
            "error": error,
            "limit": election.approval_max_marks if election.method == "approval" else election.seats.count(),
        },
        status=400 if error else 200,
    )
