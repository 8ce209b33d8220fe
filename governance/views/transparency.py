"""The public transparency section (no login): board, minutes, decisions, policies, rules, statistics."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.audit import audit_head_hash
from governance import selectors
from governance.charts import stacked_bars
from governance.directors_elect import directors_elect
from governance.markdown import render_markdown
from governance.models import (
    ChangeRecord,
    Decision,
    DecisionKind,
    Minutes,
    MinutesStatus,
    MinutesVersion,
    Outcome,
    Policy,
    PolicyVersion,
    Vote,
)
from governance.services.board import board_required_seats, next_election_at
from governance.views.filters import DecisionsFilterForm, MinutesFilterForm

PAGE_SIZE = 25


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def transparency(request: HttpRequest) -> HttpResponse:
    """The transparency section's front page: what is published and where."""
    return render(request, "governance/index.html", {"audit_head": audit_head_hash()})


def board(request: HttpRequest) -> HttpResponse:
    today = selectors.board_today()
    by_class, by_group = selectors.board_composition()
    return render(
        request,
        "governance/board.html",
        {
            "board": today,
            "required_seats": board_required_seats(rules=today.rules),
            "next_election": next_election_at(),
            "class_chart": stacked_bars(by_class, value_axis=_("Directors")),
            "group_chart": stacked_bars(by_group, value_axis=_("Directors")),
            "weights": selectors.weight_shares(),
        },
    )


def board_history(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/board_history.html",
        {
            "page_obj": _page(request, selectors.board_history()),
            "officers": selectors.officer_history(),
            # Elected and certified, not seated yet: shown above the holdings on the first page.
            "directors_elect": directors_elect(),
        },
    )


def committees(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/committees.html", {"committees": selectors.committees_today()})


def minutes_list(request: HttpRequest) -> HttpResponse:
    form = MinutesFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    q, year = filters.get("q", ""), filters.get("year")
    page_obj = _page(request, selectors.published_minutes(q=q, year=year))
    return render(
        request,
        "governance/minutes_list.html",
        {
            "page_obj": page_obj,
            "form": form,
            "q": q,
            "year": year,
            "years": selectors.archive_years(Minutes),
            "querystring": _querystring(request),
        },
        status=400 if form.errors else 200,
    )


def _published_minutes(number: int) -> Minutes:
    minutes = (
        Minutes.objects.select_related("meeting", "approved_by")
        .prefetch_related(Prefetch("versions", queryset=MinutesVersion.objects.order_by("-version")))
        .filter(number=number, status=MinutesStatus.PUBLISHED)
        .first()
    )
    if minutes is None:
        raise Http404
    return minutes


def minutes_detail(request: HttpRequest, number: int, version: int | None = None) -> HttpResponse:
    minutes = _published_minutes(number)
    versions = list(minutes.versions.all())
    wanted = version or minutes.current_version
    shown = next((v for v in versions if v.version == wanted), None)
    if shown is None:
        raise Http404
    decisions = Decision.objects.filter(meeting=minutes.meeting).order_by("number")
    return render(
        request,
        "governance/minutes_detail.html",
        {"minutes": minutes, "shown": shown, "versions": versions, "decisions": decisions},
    )


def decisions_list(request: HttpRequest) -> HttpResponse:
    form = DecisionsFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    q, year = filters.get("q", ""), filters.get("year")
    kind, outcome = filters.get("kind", ""), filters.get("outcome", "")
    director = str(filters["director"]) if "director" in filters else ""
    page_obj = _page(
        request, selectors.decisions_register(q=q, year=year, kind=kind, outcome=outcome, director=director)
    )
    return render(
        request,
        "governance/decisions_list.html",
        {
            "page_obj": page_obj,
            "form": form,
            "q": q,
            "year": year,
            "kind": kind,
            "outcome": outcome,
            "director": director,
            "years": selectors.archive_years(Decision),
            "kinds": DecisionKind.choices,
            "outcomes": Outcome.choices,
            "directors": selectors.register_directors(),
            "querystring": _querystring(request),
        },
        status=400 if form.errors else 200,
    )


def decision_detail(request: HttpRequest, number: int) -> HttpResponse:
    decision = get_object_or_404(
        Decision.objects.select_related(
            "meeting__minutes",
            "rule_set",
            "approves_minutes",
            "adopts_policy_version__policy",
            "adopts_rule_set",
        ).prefetch_related(Prefetch("votes", queryset=Vote.objects.select_related("director"))),
        number=number,
    )
    return render(request, "governance/decision_detail.html", {"decision": decision})


def policies(request: HttpRequest) -> HttpResponse:
    items = Policy.objects.prefetch_related(
        Prefetch(
            "versions", queryset=PolicyVersion.objects.filter(adopted_at__isnull=False).order_by("-version")
        )
    )
    return render(request, "governance/policies.html", {"policies": items})


def _policy(slug: str) -> Policy:
    return get_object_or_404(
        Policy.objects.prefetch_related(
            Prefetch(
                "versions",
                queryset=PolicyVersion.objects.filter(adopted_at__isnull=False)
                .select_related("adopted_by")
                .order_by("-version"),
            )
        ),
        slug=slug,
    )


def policy_detail(request: HttpRequest, slug: str, version: int | None = None) -> HttpResponse:
    policy = _policy(slug)
    versions = list(policy.versions.all())
    wanted = version or policy.current_version
    shown = next((v for v in versions if v.version == wanted), None)
    if shown is None:
        raise Http404
    previous = next((v for v in versions if v.version < shown.version), None)
    return render(
        request,
        "governance/policy_detail.html",
        {
            "policy": policy,
            "shown": shown,
            "body_html": render_markdown(shown.body_md),
            "versions": versions,
            "previous": previous,
        },
    )


def policy_diff(request: HttpRequest, slug: str, old: int, new: int) -> HttpResponse:
    policy = _policy(slug)
    by_number = {v.version: v for v in policy.versions.all()}
    if old not in by_number or new not in by_number:
        raise Http404
    rows = selectors.text_diff(by_number[old].body_md, by_number[new].body_md)
    return render(
        request,
        "governance/policy_diff.html",
        {"policy": policy, "old": by_number[old], "new": by_number[new], "rows": rows},
    )


def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/rules.html", {"versions": selectors.rule_set_history()})


def statistics(request: HttpRequest) -> HttpResponse:
    series = selectors.members_by_class_monthly()
    return render(
        request,
        "governance/statistics.html",
        {"chart": stacked_bars(series, value_axis=_("Members")), "series": series},
    )


def changes(request: HttpRequest) -> HttpResponse:
    return render(
        request, "governance/changes.html", {"page_obj": _page(request, ChangeRecord.objects.all())}
    )
