"""``GET /api/v1/control/?at=``: who controls the foundation, as the control page shows it.

The same figures as ``/governance/control/`` (``governance/control.py``), exact fractions
alongside rounded decimals, and signed like the voting-rights statements (``?format=jws``
or ``Accept: application/jose``, through ``core.api.framework.SignedAnswerMixin``).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core import clock
from core.api.framework import PublicAPIView, SignedAnswerMixin
from governance import power
from governance.control import (
    BoardPower,
    GroupPower,
    Threshold,
    TimelinePoint,
    board_power,
    parse_control_at,
    power_timeline,
)
from governance.control_elections import ElectionWeight, election_weights
from members.api.views import FORMAT_PARAM, _signed_responses

DIGITS = 6


def _share(value: Fraction) -> float:
    return round(float(value), DIGITS)


def _exact(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


# --- Schema -------------------------------------------------------------------------------------


class StandingSerializer(serializers.Serializer):
    swings = serializers.IntegerField(
        help_text="Coalitions of the other groups this group turns from losing to winning."
    )
    banzhaf = serializers.FloatField(help_text="Normalised Banzhaf index (the shares add up to 1), rounded.")
    banzhaf_exact = serializers.CharField(help_text='The same as an exact fraction, e.g. "1/3".')
    banzhaf_absolute = serializers.FloatField(
        help_text="Absolute (raw) Banzhaf index: swings / 2^(groups - 1)."
    )
    banzhaf_absolute_exact = serializers.CharField()
    shapley_shubik = serializers.FloatField(help_text="Shapley–Shubik index, rounded.")
    shapley_shubik_exact = serializers.CharField()
    can_pass = serializers.BooleanField(help_text="The group's votes alone reach the quota.")
    can_block = serializers.BooleanField(help_text="The other groups together cannot reach the quota.")


class GroupPowerSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Opaque; stable while the group is identified the same way.")
    label = serializers.CharField()
    kind = serializers.CharField(
        help_text="`group` (a corporate group and its directors) or `independent` (one director on their own)."
    )
    directors = serializers.ListField(child=serializers.CharField())
    seats = serializers.IntegerField()
    seat_share = serializers.FloatField(help_text="Seats / directors in office, rounded.")
    seat_share_exact = serializers.CharField()
    denies_quorum = serializers.BooleanField(help_text="The others alone are fewer than the quorum.")
    power = serializers.DictField(
        child=StandingSerializer(),
        help_text="By threshold key (`majority`, `supermajority`, `written_consent`).",
    )


class ThresholdSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    rule = serializers.CharField()
    yes_needed = serializers.IntegerField(help_text="Yes votes needed when every director in office votes.")


class RuleSetRefSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    name = serializers.CharField()
    effective_from = serializers.DateTimeField()
    max_directors_per_group = serializers.IntegerField()


class BoardFiguresSerializer(serializers.Serializer):
    seats = serializers.IntegerField()
    in_office = serializers.IntegerField()
    vacancies = serializers.IntegerField()
    quorum = serializers.IntegerField(help_text="Directors needed for a quorum.")


class RollGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    organisations = serializers.ListField(child=serializers.CharField())
    weight = serializers.IntegerField()
    share = serializers.FloatField()
    share_exact = serializers.CharField()
    wins_seat_alone = serializers.BooleanField(help_text="Its share is above the seat guarantee.")


class ElectionWeightSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    method = serializers.CharField()
    seats = serializers.IntegerField()
    roll_frozen_at = serializers.DateTimeField()
    roll_total_weight = serializers.IntegerField()
    seat_guarantee_share = serializers.FloatField(
        allow_null=True,
        help_text="More than this share of the votes guarantees a seat (STV: the Droop quota).",
    )
    seat_guarantee_exact = serializers.CharField(allow_null=True)
    seat_guarantee_rule = serializers.CharField(allow_null=True)
    unattributed_weight = serializers.IntegerField(help_text="Weight in no group (individual members).")
    groups = RollGroupSerializer(many=True)


class LargestGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    seats = serializers.IntegerField()
    seat_share = serializers.FloatField()
    power = serializers.DictField(child=StandingSerializer())


class TimelinePointSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="From this moment until the next point.")
    rule_set = serializers.IntegerField()
    seats = serializers.IntegerField()
    in_office = serializers.IntegerField()
    largest_group = LargestGroupSerializer(allow_null=True)
    tied = serializers.IntegerField(help_text="Other groups with as many seats as the largest.")
    election = serializers.BooleanField()
    size_change = serializers.BooleanField()
    rules_change = serializers.BooleanField()


class ControlSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    rule_set = RuleSetRefSerializer()
    board = BoardFiguresSerializer()
    thresholds = ThresholdSerializer(many=True)
    groups = GroupPowerSerializer(many=True)
    findings = serializers.ListField(child=serializers.CharField())
    cap_findings = serializers.ListField(child=serializers.CharField())
    elections = ElectionWeightSerializer(many=True)
    timeline = TimelinePointSerializer(many=True)


# --- The answer ---------------------------------------------------------------------------------


def _standing(standing: power.Standing) -> dict[str, Any]:
    return {
        "swings": standing.swings,
        "banzhaf": _share(standing.banzhaf),
        "banzhaf_exact": _exact(standing.banzhaf),
        "banzhaf_absolute": _share(standing.banzhaf_absolute),
        "banzhaf_absolute_exact": _exact(standing.banzhaf_absolute),
        "shapley_shubik": _share(standing.shapley_shubik),
        "shapley_shubik_exact": _exact(standing.shapley_shubik),
        "can_pass": standing.can_pass,
        "can_block": standing.can_block,
    }


def _group(group: GroupPower, thresholds: list[Threshold]) -> dict[str, Any]:
    return {
        "key": group.group.key,
        "label": group.group.label,
        "kind": group.group.kind,
        "directors": group.directors,
        "seats": group.seats,
        "seat_share": _share(group.seat_share),
        "seat_share_exact": _exact(group.seat_share),
        "denies_quorum": group.denies_quorum,
        "power": {t.key: _standing(group.standings[t.key]) for t in thresholds},
    }


def _election(item: ElectionWeight) -> dict[str, Any]:
    roll, guarantee = item.roll, item.guarantee
    return {
        "slug": roll.slug,
        "title": roll.title,
        "method": roll.method,
        "seats": roll.seats,
        "roll_frozen_at": roll.frozen_at,
        "roll_total_weight": roll.total_weight,
        "seat_guarantee_share": _share(guarantee.share) if guarantee else None,
        "seat_guarantee_exact": _exact(guarantee.share) if guarantee else None,
        "seat_guarantee_rule": guarantee.rule if guarantee else None,
        "unattributed_weight": item.unattributed,
        "groups": [
            {
                "key": g.weight.group.key,
                "label": g.weight.group.label,
                "organisations": g.weight.organisations,
                "weight": g.weight.weight,
                "share": _share(g.share),
                "share_exact": _exact(g.share),
                "wins_seat_alone": g.wins_alone,
            }
            for g in item.groups
        ],
    }


def _point(point: TimelinePoint) -> dict[str, Any]:
    largest = point.largest
    return {
        "at": point.at,
        "rule_set": point.rule_set,
        "seats": point.seats,
        "in_office": point.in_office,
        "largest_group": {
            "key": largest.group.key,
            "label": largest.group.label,
            "seats": largest.seats,
            "seat_share": _share(largest.seat_share),
            "power": {t.key: _standing(largest.standings[t.key]) for t in point.thresholds},
        }
        if largest
        else None,
        "tied": point.tied,
        "election": point.election,
        "size_change": point.size_change,
        "rules_change": point.rules_change,
    }


def control_answer(
    board: BoardPower, *, elections: list[ElectionWeight], timeline: list[TimelinePoint]
) -> dict[str, Any]:
    """The API's body for ``board`` (the page shows the same objects)."""
    rules = board.rules
    return {
        "at": board.at,
        "rule_set": {
            "version": rules.version,
            "name": rules.name,
            "effective_from": rules.effective_from,
            "max_directors_per_group": rules.board_max_per_group,
        },
        "board": {
            "seats": board.seats,
            "in_office": board.in_office,
            "vacancies": board.vacancies,
            "quorum": board.quorum,
        },
        "thresholds": [
            {"key": t.key, "label": t.label, "rule": t.rule, "yes_needed": t.quota} for t in board.thresholds
        ],
        "groups": [_group(g, board.thresholds) for g in board.groups],
        "findings": board.findings,
        "cap_findings": board.cap,
        "elections": [_election(e) for e in elections],
        "timeline": [_point(p) for p in timeline],
    }


AT_PARAM = OpenApiParameter(
    "at",
    OpenApiTypes.STR,
    description=(
        "A past date (`2026-05-01`: the board at the end of that day, UTC) or an ISO 8601 moment. "
        "Default: now. A malformed or future value is a 400 (`invalid_at`, `at_in_future`); a moment "
        "before the first rule set took effect is a 404 (`no_rule_set`)."
    ),
)


class ControlView(SignedAnswerMixin, PublicAPIView):
    @extend_schema(
        operation_id="control",
        summary="Who controls the foundation: each group's seats, voting power and electoral weight",
        description=(
            "For the board in office at `at`: each group (a corporate group, or an independent director "
            "on their own) with its seats, share of the votes, Banzhaf (normalised and absolute) and "
            "Shapley–Shubik indices for each decision threshold of the rule set then in force, in the "
            "game where every director votes and no one abstains; whether it can pass or block alone; "
            "whether its absence denies quorum. Also each group's share of the weight on the latest frozen "
            "election rolls with the share that guarantees a seat, and the largest group over time. "
            "Exact values are fractions (`*_exact`)."
        ),
        parameters=[AT_PARAM, FORMAT_PARAM],
        responses=_signed_responses(ControlSerializer),
        tags=["governance"],
    )
    def get(self, request: Request) -> Response:
        at = parse_control_at(request.query_params.get("at"))
        moment: dt.datetime = at or clock.now()
        board = board_power(at=moment)
        body = control_answer(
            board, elections=election_weights(at=moment), timeline=power_timeline(at=moment)
        )
        return Response(ControlSerializer(body).data)
