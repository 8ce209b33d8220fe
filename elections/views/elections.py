"""The election's public pages: the list, the election, its roll, trackers, results and files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.access import permission_required
from elections import permissions
from elections.charts import rounds_chart
from elections.counting import display_number
from elections.models import Dispute, Election
from elections.rules import election_rules_for
from elections.selectors import (
    election_turnout_public,
    nominating_memberships,
    public_candidates,
    published_tie_order,
)
from elections.services import results as result_services
from elections.services.packages import (
    ballots_withheld,
    current_package,
    manifest_json,
    recount_command,
    small_classes,
)
from elections.services.roll import (
    access_own_roll_entries,
    hidden_line_token,
    listed_numbers,
    roll_lines_for,
    roll_text_for,
)
from elections.views import election_or_404
from members.selectors import class_names


def index(request: HttpRequest) -> HttpResponse:
    elections = Election.objects.select_related("rule_set").order_by("-voting_opens_at")
    return render(request, "elections/index.html", {"elections": elections})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    election = election_or_404(slug)
    rules = election_rules_for(rule_set=election.rule_set)
    turnout = election_turnout_public(election=election, rules=rules)
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
    """The roll page: a signed-in member sees their own provisional or frozen lines.

    A member hidden from the directory sees their line as published (the hash), with the
    salt that makes it: only they (and the committee) can tell that line is theirs.
    """
    election = election_or_404(slug)
    mine: list[dict[str, Any]] = []
    provisional = None
    if request.user.is_authenticated:
        memberships = nominating_memberships(user=request.user)
        if election.roll_frozen_at is None:
            provisional = roll_lines_for(election=election, memberships=memberships)
        else:
            numbers = [m.number for m in memberships]
            entries = list(election.roll.filter(member_number__in=numbers).order_by("member_number"))
            undecided = [e.member_number for e in entries if e.listed is None]
            listed_now = listed_numbers(undecided) if undecided else set()
            for e in entries:
                listed = e.listed if e.listed is not None else e.member_number in listed_now
                mine.append(
                    {
                        "number": e.member_number,
                        "weight": e.weight,
                        "listed": listed,
                        "salt": e.salt,
                        "token": e.member_number if listed else hidden_line_token(e.member_number, e.salt),
                    }
                )
    return render(
        request,
        "elections/roll.html",
        {
            "election": election,
            "mine": mine,
            "provisional": provisional,
            "rules": election_rules_for(rule_set=election.rule_set),
        },
    )


@permission_required(permissions.can_read_frozen_roll)
def roll_text(request: HttpRequest, slug: str) -> HttpResponse:
    """The published roll lines whose SHA-256 is the fingerprint (signed-in people only).

    Members hidden from the directory appear as ``sha256(number + salt)``. For a roll frozen
    before that (fingerprint version 1) the committee gets the version 1 text, which hashes
    to the recorded fingerprint; everyone else gets the published lines.
    """
    election = election_or_404(slug)
    if election.roll_frozen_at is None or election.roll_purged_at is not None:
        raise Http404
    text = roll_text_for(election=election, full=permissions.can_run_election(request.user, election))
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


TRACKER_CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


@require_http_methods(["GET", "POST"])
def trackers(request: HttpRequest, slug: str) -> HttpResponse:
    """The published tracker list, and a check of one code (a POST: codes stay out of URLs and logs).

    What a match proves: this code was issued for a ballot that is in the counted set. The
    list is published when voting closes; it is not linked to the ballots.
    """
    election = election_or_404(slug)
    published = election.closed_at is not None
    codes = result_services.tracker_codes(election=election) if published else []
    query = ""
    found = None
    if request.method == "POST":
        query = (request.POST.get("code") or "").strip().upper()
        if query and published:
            found = bool(TRACKER_CODE.match(query)) and query in set(codes)
    return render(
        request,
        "elections/trackers.html",
        {"election": election, "codes": codes, "published": published, "query": query, "found": found},
    )


def _by_class_name(by_class: dict[str, Any]) -> list[tuple[str, Any]]:
    """Turnout rows under the classes' names (the count stores codes)."""
    names = class_names()
    return sorted(
        ((names.get(code, code), figures) for code, figures in by_class.items()), key=lambda row: row[0]
    )


def results(request: HttpRequest, slug: str) -> HttpResponse:
    election = election_or_404(slug)
    if not election.results_public:
        raise Http404
    turnout = election.turnout or {}
    rules = election_rules_for(rule_set=election.rule_set)
    package = current_package(election)
    decisive = [t for t in election.result.get("ties", []) if t.get("decisive", True)]
    return render(
        request,
        "elections/results.html",
        {
            "election": election,
            "elected": result_services.elected_candidates(election=election),
            "chart": rounds_chart(election.result),
            "by_class": _by_class_name(turnout.get("by_class") or {}),
            "turnout": turnout,
            "tie_order": published_tie_order(election=election),
            "package": package,
            "command": recount_command(package.name) if package else "",
            "blt_name": download_name(election, "ballots.blt"),
            "withheld": ballots_withheld(election, rules),
            "small_classes": small_classes(election, rules),
            "rules": rules,
            "decisive_ties": decisive,
            "count_method": election.result.get("count_method", election.method),
            "rounds": [
                {**r, "votes": {name: display_number(v) for name, v in r.get("votes", {}).items()}}
                for r in election.result.get("rounds", [])
            ],
        },
    )


def _report_json(election: Election) -> str:
    report = {k: v for k, v in election.result.items() if k != "report_text"}
    return json.dumps(report, indent=2, ensure_ascii=False)


BALLOT_FILES = ("ballots.blt", "ballots.csv", "ballots.json", "count-package.zip")


def download_name(election: Election, kind: str) -> str:
    """The name a download of ``kind`` is saved under (the results page names it too)."""
    return f"{election.slug}-{kind}"


def download(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Anonymised ballots (BLT, CSV, JSON), the count report (text, JSON), the count package
    and its signed manifest. Where the rule set withholds the ballots, the ballot files and
    the package (which holds them) are not public: observers have them inside Charter."""
    election = election_or_404(slug)
    if not election.results_public:
        raise Http404
    if kind in BALLOT_FILES and ballots_withheld(election):
        raise Http404
    package = current_package(election)
    if kind == "count-package.zip":
        if package is None:
            raise Http404
        response = HttpResponse(bytes(package.data), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{package.name}"'
        return response
    makers: dict[str, tuple[Callable[[], str], str]] = {
        "ballots.blt": (lambda: result_services.export_blt(election=election), "text/plain"),
        "ballots.csv": (lambda: result_services.export_csv(election=election), "text/csv"),
        "ballots.json": (lambda: result_services.export_json(election=election), "application/json"),
        "report.txt": (lambda: election.result.get("report_text", ""), "text/plain"),
        "report.json": (lambda: _report_json(election), "application/json"),
    }
    if package is not None:
        makers["manifest.json"] = (lambda: manifest_json(package), "application/json")
        makers["manifest.jws"] = (lambda: package.signature + "\n", "application/jose")
    if kind not in makers:
        raise Http404
    make, content_type = makers[kind]
    response = HttpResponse(make(), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(election, kind)}"'
    return response
