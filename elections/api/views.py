"""Elections, read-only and public: the election with its roll figures, candidates with
their nominators, results with every round, and the tracker lookup."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.framework import PUBLIC_ERRORS, PublicAPIView, PublicListAPIView, error_responses
from core.errors import NotFound
from elections.api.filters import ElectionFilter
from elections.api.serializers import (
    CandidateSerializer,
    ElectionDetailSerializer,
    ElectionSerializer,
    ResultsSerializer,
    TrackerSerializer,
)
from elections.models import Election, ElectionRules, ElectionState, Tracker
from elections.selectors import (
    election_turnout_public,
    public_candidates,
    published_tie_order,
)
from elections.services.packages import ballots_withheld, current_package, recount_command
from governance.models import Seat

ERRORS = error_responses(*PUBLIC_ERRORS)
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"
TRACKER_PATTERN = r"[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}"
ID_PARAM = OpenApiParameter(
    "id", str, OpenApiParameter.PATH, pattern=f"^{SLUG_PATTERN}$", description="The election's id (its slug)."
)


def _elections() -> QuerySet[Election]:
    return Election.objects.select_related("rule_set").prefetch_related(
        Prefetch("seats", queryset=Seat.objects.only("id", "number"))
    )


def access_election(*, slug: str) -> Election:
    election = _elections().filter(slug=slug).first()
    if election is None:
        raise NotFound(_("No election with that id."), code="election_not_found")
    return election


def _turnout(election: Election) -> dict[str, Any] | None:
    """Frozen at the close, live while voting; small classes merged into "other" either way."""
    rules = ElectionRules.objects.filter(rule_set_id=election.rule_set_id).first()
    return election_turnout_public(
        election=election, rules=rules or ElectionRules(rule_set=election.rule_set)
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="elections",
        summary="Elections, newest first",
        responses={200: ElectionSerializer(many=True), **ERRORS},
        tags=["elections"],
    )
)
class ElectionListView(PublicListAPIView):
    serializer_class = ElectionSerializer
    filterset_class = ElectionFilter
    cursor_ordering = ("-voting_opens_at", "-id")

    def get_queryset(self) -> QuerySet[Election]:
        return _elections()


class ElectionDetailView(PublicAPIView):
    @extend_schema(
        operation_id="election",
        summary="One election: windows, roll fingerprint and totals, turnout, tie order",
        parameters=[ID_PARAM],
        responses={200: ElectionDetailSerializer, **ERRORS},
        tags=["elections"],
    )
    def get(self, request: Request, id: str) -> Response:
        election = access_election(slug=id)
        election.turnout = _turnout(election)
        election.tie_order = published_tie_order(election=election)  # type: ignore[attr-defined]
        return Response(ElectionDetailSerializer(election).data)


class CandidateListView(PublicAPIView):
    @extend_schema(
        operation_id="election_candidates",
        summary="Candidates with who nominated them",
        parameters=[ID_PARAM],
        responses={200: CandidateSerializer(many=True), **ERRORS},
        tags=["elections"],
    )
    def get(self, request: Request, id: str) -> Response:
        election = access_election(slug=id)
        return Response(CandidateSerializer(public_candidates(election=election), many=True).data)


def _package_info(election: Election) -> dict[str, Any] | None:
    package = current_package(election)
    if package is None:
        return None
    return {
        "version": package.version,
        "name": package.name,
        "sha256": package.sha256,
        "ballots_sha256": package.ballots_sha256,
        "manifest": package.manifest,
        "command": recount_command(package.name),
    }


class ResultsView(PublicAPIView):
    @extend_schema(
        operation_id="election_results",
        summary="The result with every round of the count (once counted)",
        parameters=[ID_PARAM],
        responses={200: ResultsSerializer, **ERRORS},
        tags=["elections"],
    )
    def get(self, request: Request, id: str) -> Response:
        election = access_election(slug=id)
        if election.state == ElectionState.COUNTING:
            raise NotFound(_("Voting has closed and the ballots are being counted."), code="results_counting")
        if not election.results_public:
            raise NotFound(_("The results are not published yet."), code="results_not_published")
        result = election.result or {}
        self.last_modified = election.certified_at or election.counted_at
        data = {
            "id": election.slug,
            "method": result.get("method", election.method),
            "seats": result.get("seats", 0),
            "elected": result.get("elected", []),
            "rounds": result.get("rounds", []),
            "ties": result.get("ties", []),
            "notes": result.get("notes", []),
            "total": result.get("total"),
            "candidate_ids": result.get("candidate_ids", {}),
            "tie_order": published_tie_order(election=election),
            "turnout": election.turnout or {},
            "counted_at": election.counted_at,
            "certified_at": election.certified_at,
            "certified_head_seq": election.certified_head_seq,
            "certified_head_hash": election.certified_head_hash,
            "count_method": result.get("count_method", election.method),
            "package": _package_info(election),
            "ballots_published": not ballots_withheld(election),
        }
        return Response(ResultsSerializer(data).data)


class TrackerView(PublicAPIView):
    @extend_schema(
        operation_id="election_tracker",
        summary="Is this tracker code in the published list?",
        description=(
            "Trackers are published when voting closes; before that every lookup is a 404. "
            "`found` means this code was issued for a ballot that is in the counted set; "
            "codes are not linked to ballots, so it says nothing about what the ballot says."
        ),
        parameters=[
            ID_PARAM,
            OpenApiParameter(
                "code",
                str,
                OpenApiParameter.PATH,
                pattern=f"^{TRACKER_PATTERN}$",
                description="XXXX-XXXX-XXXX-XXXX",
            ),
        ],
        responses={200: TrackerSerializer, **ERRORS},
        tags=["elections"],
    )
    def get(self, request: Request, id: str, code: str) -> Response:
        election = access_election(slug=id)
        if election.closed_at is None:
            raise NotFound(_("Trackers are published when voting closes."), code="trackers_not_published")
        code = code.upper()
        found = Tracker.objects.filter(election=election, code=code).exists()
        return Response(TrackerSerializer({"election": election.slug, "code": code, "found": found}).data)
