"""The public record, read-only: rule sets, the board, decisions, minutes and policies."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from core import clock
from core.api.framework import PUBLIC_ERRORS, PublicAPIView, PublicListAPIView, error_responses
from core.errors import NotFound
from core.models import RuleSet
from governance import selectors
from governance.api.filters import BoardHistoryFilter, DecisionFilter, MinutesFilter
from governance.api.serializers import (
    BoardHistorySerializer,
    BoardSerializer,
    DecisionDetailSerializer,
    DecisionSerializer,
    MinutesDetailSerializer,
    MinutesSerializer,
    PolicyDetailSerializer,
    PolicySerializer,
    RuleSetSerializer,
)
from governance.models import Decision, Minutes, MinutesStatus, MinutesVersion, Policy, PolicyVersion, Vote

MAX_INT = 2_147_483_647
ERRORS = error_responses(*PUBLIC_ERRORS)


def _number_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 0, "maximum": MAX_INT},
        OpenApiParameter.PATH,
        description=description,
    )


def _bounded(value: int) -> int:
    # Larger numbers than the database's integers cannot exist; don't let them reach SQL.
    if value > MAX_INT:
        raise NotFound(_("Not found."))
    return value


# --- Rule sets ---------------------------------------------------------------------------------


def _rule_sets() -> QuerySet[RuleSet]:
    # Drafts are the board's working copies: public once adopted.
    return (
        RuleSet.objects.filter(effective_from__isnull=False)
        .prefetch_related("membership_classes")
        .order_by("-version")
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="rule_sets",
        summary="Every version of the rule set (the bylaws as data), newest first",
        responses={200: RuleSetSerializer(many=True), **ERRORS},
        tags=["governance"],
    )
)
class RuleSetListView(PublicListAPIView):
    serializer_class = RuleSetSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_last_modified(self) -> Any:
        return _rule_sets().aggregate(at=Max("created_at"))["at"]

    def get_queryset(self) -> QuerySet[RuleSet]:
        return _rule_sets()


class RuleSetDetailView(PublicAPIView):
    @extend_schema(
        operation_id="rule_set",
        summary="One rule-set version",
        parameters=[_number_param("version", "The rule-set version.")],
        responses={200: RuleSetSerializer, **ERRORS},
        tags=["governance"],
    )
    def get(self, request: Request, version: int) -> Response:
        rule_set = _rule_sets().filter(version=_bounded(version)).first()
        if rule_set is None:
            raise NotFound(_("No rule set with that version."), code="rule_set_not_found")
        self.last_modified = rule_set.created_at
        return Response(RuleSetSerializer(rule_set).data)


# --- The board ---------------------------------------------------------------------------------


class BoardView(PublicAPIView):
    @extend_schema(
        operation_id="board",
        summary="The board today: seats and holders, officers, cohorts",
        responses={200: BoardSerializer, **ERRORS},
        tags=["governance"],
    )
    def get(self, request: Request) -> Response:
        now = clock.now()
        today = selectors.board_today(at=now)
        today.as_of = now  # type: ignore[attr-defined]
        return Response(BoardSerializer(today).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="board_history",
        summary="Every seat holding, newest first",
        responses={200: BoardHistorySerializer(many=True), **ERRORS},
        tags=["governance"],
    )
)
class BoardHistoryView(PublicListAPIView):
    serializer_class = BoardHistorySerializer
    filterset_class = BoardHistoryFilter
    cursor_ordering = ("-starts_at", "-id")

    def get_queryset(self) -> Any:
        return selectors.board_history().order_by()


# --- Decisions ---------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="decisions",
        summary="The decisions register, newest first",
        responses={200: DecisionSerializer(many=True), **ERRORS},
        tags=["governance"],
    )
)
class DecisionListView(PublicListAPIView):
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    cursor_ordering = "-number"

    def get_last_modified(self) -> Any:
        return Decision.objects.aggregate(at=Max("decided_at"))["at"]

    def get_queryset(self) -> Any:
        return Decision.objects.select_related("meeting", "rule_set")


class DecisionDetailView(PublicAPIView):
    @extend_schema(
        operation_id="decision",
        summary="One decision with its roll call",
        parameters=[_number_param("number", "The decision number (R-0042 is 42).")],
        responses={200: DecisionDetailSerializer, **ERRORS},
        tags=["governance"],
    )
    def get(self, request: Request, number: int) -> Response:
        decision = (
            Decision.objects.select_related(
                "meeting", "rule_set", "adopts_rule_set", "approves_minutes", "adopts_policy_version__policy"
            )
            .prefetch_related(Prefetch("votes", queryset=Vote.objects.select_related("director")))
            .filter(number=_bounded(number))
            .first()
        )
        if decision is None:
            raise NotFound(_("No decision with that number."), code="decision_not_found")
        self.last_modified = decision.decided_at
        return Response(DecisionDetailSerializer(decision).data)


# --- Minutes -----------------------------------------------------------------------------------


def _published_minutes() -> QuerySet[Minutes]:
    return Minutes.objects.filter(status=MinutesStatus.PUBLISHED).select_related("meeting")


@extend_schema_view(
    get=extend_schema(
        operation_id="minutes",
        summary="Published minutes, newest first",
        responses={200: MinutesSerializer(many=True), **ERRORS},
        tags=["governance"],
    )
)
class MinutesListView(PublicListAPIView):
    serializer_class = MinutesSerializer
    filterset_class = MinutesFilter
    cursor_ordering = "-number"

    def get_last_modified(self) -> Any:
        published = MinutesVersion.objects.filter(minutes__status=MinutesStatus.PUBLISHED)
        return published.aggregate(at=Max("published_at"))["at"]

    def get_queryset(self) -> Any:
        return _published_minutes()


class MinutesDetailView(PublicAPIView):
    @extend_schema(
        operation_id="minutes_detail",
        summary="Published minutes with every version of their text",
        parameters=[_number_param("number", "The minutes number.")],
        responses={200: MinutesDetailSerializer, **ERRORS},
        tags=["governance"],
    )
    def get(self, request: Request, number: int) -> Response:
        minutes = (
            _published_minutes()
            .prefetch_related(Prefetch("versions", queryset=MinutesVersion.objects.order_by("version")))
            .filter(number=_bounded(number))
            .first()
        )
        if minutes is None:
            raise NotFound(_("No published minutes with that number."), code="minutes_not_found")
        versions = list(minutes.versions.all())
        self.last_modified = max((v.published_at for v in versions), default=minutes.published_at)
        return Response(MinutesDetailSerializer(minutes).data)


# --- Policies ----------------------------------------------------------------------------------


def _policies() -> QuerySet[Policy]:
    adopted = (
        PolicyVersion.objects.filter(adopted_at__isnull=False)
        .select_related("adopted_by")
        .order_by("-version")
    )
    return Policy.objects.prefetch_related(Prefetch("versions", queryset=adopted, to_attr="adopted_versions"))


class PolicyListView(PublicAPIView):
    @extend_schema(
        operation_id="policies",
        summary="Bylaws and policies with their adopted versions",
        responses={200: PolicySerializer(many=True), **ERRORS},
        tags=["governance"],
    )
    def get(self, request: Request) -> Response:
        self.last_modified = PolicyVersion.objects.aggregate(at=Max("adopted_at"))["at"]
        return Response(PolicySerializer(_policies(), many=True).data)


class PolicyDetailView(PublicAPIView):
    @extend_schema(
        operation_id="policy",
        summary="One policy with the text of every adopted version",
        parameters=[
            OpenApiParameter(
                "slug",
                str,
                OpenApiParameter.PATH,
                pattern=r"^[-a-zA-Z0-9_]+$",
                description="The policy's slug.",
            )
        ],
        responses={200: PolicyDetailSerializer, **ERRORS},
        tags=["governance"],
    )
    def get(self, request: Request, slug: str) -> Response:
        policy = _policies().filter(slug=slug).first()
        if policy is None:
            raise NotFound(_("No policy with that name."), code="policy_not_found")
        self.last_modified = max(
            (v.adopted_at for v in getattr(policy, "adopted_versions", [])), default=None
        )
        return Response(PolicyDetailSerializer(policy).data)
