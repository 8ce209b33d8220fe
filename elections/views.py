"""Public election pages: the election, its roll, nominations, the ballot, trackers, results.

The cast view keeps the ballot secret on the web side too: it does not touch the session
and adds no message (the receipt is rendered directly, not through a redirect), and the
request logs stay at WARNING (settings), so nothing records who voted when.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError, ValidationFailed
from elections import permissions
from elections.charts import rounds_chart
from elections.forms import AcceptForm, DisputeForm, NominationForm
from elections.models import Candidate, Dispute, Election
from elections.rules import election_rules_for
from elections.selectors import ballot_candidates, election_turnout, public_candidates, published_tie_order
from elections.services import ballots as ballot_services
from elections.services import nominations as nomination_services
from elections.services import results as result_services
from elections.services.roll import access_own_roll_entries, canonical_roll_text, roll_lines_for
from members.models import Membership


def _election(slug: str) -> Election:
    return get_object_or_404(Election.objects.select_related("rule_set"), slug=slug)


def index(request: HttpRequest) -> HttpResponse:
    elections = Election.objects.select_related("rule_set").order_by("-voting_opens_at")
    return render(request, "elections/index.html", {"elections": elections})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    rules = election_rules_for(rule_set=election.rule_set)
    turnout = election_turnout(election=election, rules=rules) if election.roll_frozen_at else None
    my_entries = access_own_roll_entries(election=election, user=request.user)
    return render(
        request,
        "elections/detail.html",
        {
            "election": election,
            "rules": rules,
            "seats": election.seats.order_by("number"),
            "candidates": public_candidates(election=election),
            "turnout": turnout,
            "tie_order": published_tie_order(election=election),
            "disputes": Dispute.objects.filter(election=election).exclude(state=Dispute.State.OPEN),
            "my_entries": my_entries,
        },
    )


def roll(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    mine: list[Any] = []
    provisional = None
    if request.user.is_authenticated:
        memberships = _my_nominating_memberships(request.user)
        if election.roll_frozen_at is None:
            provisional = roll_lines_for(election=election, memberships=memberships)
        else:
            numbers = [m.number for m in memberships]
            mine = list(election.roll.filter(member_number__in=numbers).order_by("member_number"))
    return render(
        request,
        "elections/roll.html",
        {"election": election, "mine": mine, "provisional": provisional},
    )


@login_required
def roll_text(request: HttpRequest, slug: str) -> HttpResponse:
    """The canonical roll text whose SHA-256 is the published fingerprint (members only)."""
    election = _election(slug)
    if election.roll_frozen_at is None:
        raise Http404
    text = canonical_roll_text(election.roll.values_list("member_number", "weight"))
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def _my_nominating_memberships(user: Any) -> list[Membership]:
    own = list(Membership.objects.filter(user=user))
    orgs = list(Membership.objects.filter(organisation__representative=user).select_related("organisation"))
    return own + orgs


@login_required
def nominate(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    if not permissions.can_nominate_candidate(request.user, election):
        raise PermissionDenied
    memberships = _my_nominating_memberships(request.user)
    form = NominationForm(request.POST or None, memberships=memberships)
    done = None
    if request.method == "POST" and form.is_valid():
        membership = next(m for m in memberships if m.number == form.cleaned_data["on_behalf_of"])
        nominee = get_user_model().objects.filter(email__iexact=form.cleaned_data["nominee_email"]).first()
        if nominee is None:
            form.add_error("nominee_email", _("No account uses this address."))
        else:
            try:
                done = nomination_services.nomination_create(
                    election=election, nominator=membership, nominee=nominee, actor=request.user
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("elections:detail", slug=election.slug)
    return render(
        request,
        "elections/nominate.html",
        {"election": election, "form": form, "memberships": memberships, "done": done},
    )


@login_required
def candidacy(request: HttpRequest, slug: str) -> HttpResponse:
    """The nominee's page: accept (statement, employer), decline, or withdraw."""
    election = _election(slug)
    candidate = Candidate.objects.filter(election=election, person_id=request.user.pk).first()
    if candidate is None:
        raise Http404
    form = AcceptForm(request.POST or None)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept" and form.is_valid():
                nomination_services.candidate_accept(
                    candidate=candidate,
                    statement=form.cleaned_data["statement"],
                    employer=form.cleaned_data["employer"],
                    employer_name=form.cleaned_data["employer_name"],
                    actor=request.user,
                )
                return redirect("elections:candidacy", slug=election.slug)
            if action == "decline":
                nomination_services.candidate_decline(candidate=candidate, actor=request.user)
                return redirect("elections:candidacy", slug=election.slug)
            if action == "withdraw":
                nomination_services.candidate_withdraw(candidate=candidate, actor=request.user)
                return redirect("elections:candidacy", slug=election.slug)
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "elections/candidacy.html",
        {"election": election, "candidate": candidate, "form": form, "error": error},
    )


def _parse_ballot(request: HttpRequest, election: Election, candidates: list[Candidate]) -> dict[str, Any]:
    """Read the form: ``rank-<id>`` selects for ranked ballots, ``mark`` checkboxes otherwise."""
    if election.is_ranked:
        ranks: dict[int, int] = {}
        for c in candidates:
            raw = (request.POST.get(f"rank-{c.pk}") or "").strip()
            if raw:
                try:
                    ranks[c.pk] = int(raw)
                except ValueError:
                    raise ValidationFailed(_("A rank must be a whole number."), code="invalid_rank") from None
        return {"ranks": ranks}
    try:
        marks = [int(v) for v in request.POST.getlist("mark")]
    except ValueError:
        raise ValidationFailed(_("The ballot could not be read."), code="invalid_mark") from None
    return {"marks": marks}


@login_required
def ballot(request: HttpRequest, slug: str) -> HttpResponse:
    """The ballot. A successful cast renders the receipt directly (no redirect, no message, no session write)."""
    election = _election(slug)
    if not permissions.can_cast_ballot(request.user, election):
        raise PermissionDenied
    entries = access_own_roll_entries(election=election, user=request.user)
    candidates = [c for c in ballot_candidates(election=election) if c.stands]
    entry_id = request.POST.get("entry") or request.GET.get("for") or ""
    if not entry_id and len([e for e in entries if not e.has_voted]) == 1:
        entry_id = str(next(e.pk for e in entries if not e.has_voted))
    chosen = next((e for e in entries if str(e.pk) == entry_id), None)
    error = ""
    submitted: dict[str, Any] = {}
    if request.method == "POST":
        try:
            submitted = _parse_ballot(request, election, candidates)
            receipt = ballot_services.ballot_cast(
                election=election, voter=request.user, roll_entry_id=entry_id, **submitted
            )
        except DomainError as exc:
            error = exc.message
        else:
            return render(request, "elections/receipt.html", {"election": election, "receipt": receipt})
    rank_choices = list(range(1, len(candidates) + 1))
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
            "rank_choices": rank_choices,
            "error": error,
            "limit": election.approval_max_marks if election.method == "approval" else election.seats.count(),
        },
        status=400 if error else 200,
    )


def trackers(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    published = election.closed_at is not None
    codes = result_services.tracker_codes(election=election) if published else []
    query = (request.GET.get("code") or "").strip().upper()
    found = None
    if query and published:
        found = query in set(codes)
    return render(
        request,
        "elections/trackers.html",
        {"election": election, "codes": codes, "published": published, "query": query, "found": found},
    )


def results(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    if not election.results_public:
        raise Http404
    turnout = election.turnout or {}
    return render(
        request,
        "elections/results.html",
        {
            "election": election,
            "elected": result_services.elected_candidates(election=election),
            "chart": rounds_chart(election.result),
            "by_class": sorted((turnout.get("by_class") or {}).items()),
            "turnout": turnout,
            "tie_order": published_tie_order(election=election),
        },
    )


def download(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Anonymised ballots (BLT, CSV, JSON) and the count report (text, JSON)."""
    election = _election(slug)
    if not election.results_public:
        raise Http404
    import json

    makers = {
        "ballots.blt": (lambda: result_services.export_blt(election=election), "text/plain"),
        "ballots.csv": (lambda: result_services.export_csv(election=election), "text/csv"),
        "ballots.json": (lambda: result_services.export_json(election=election), "application/json"),
        "report.txt": (lambda: election.result.get("report_text", ""), "text/plain"),
        "report.json": (
            lambda: json.dumps(
                {k: v for k, v in election.result.items() if k != "report_text"}, indent=2, ensure_ascii=False
            ),
            "application/json",
        ),
    }
    if kind not in makers:
        raise Http404
    make, content_type = makers[kind]
    response = HttpResponse(make(), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{election.slug}-{kind}"'
    return response


@login_required
def dispute(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    if not permissions.can_file_dispute(request.user, election):
        raise PermissionDenied
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result_services.dispute_file(
                election=election, body=form.cleaned_data["body"], actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "elections/dispute_filed.html", {"election": election})
    return render(request, "elections/dispute.html", {"election": election, "form": form})
