"""Shapes of the public governance API. People appear by public id and name only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import RuleSet
from governance.models import Decision


class PersonSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField(source="full_name")


class RuleSetClassSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    vote_weight = serializers.IntegerField()
    annual_dues_minor = serializers.IntegerField()
    currency = serializers.CharField()


class RuleSetSerializer(serializers.ModelSerializer):
    membership_classes = RuleSetClassSerializer(many=True, read_only=True)
    majority_base = serializers.CharField(help_text="cast, present or in_office")
    supermajority_base = serializers.CharField(help_text="cast, present or in_office")

    class Meta:
        model = RuleSet
        exclude = ["id"]


# --- The board ------------------------------------------------------------------------------


class HoldingSerializer(serializers.Serializer):
    person = PersonSerializer()
    employer = serializers.SerializerMethodField()
    source = serializers.CharField()
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    starts_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_employer(self, holding: Any) -> str:
        return holding.employer.legal_name if holding.employer_id else holding.employer_label


class DirectorElectSerializer(serializers.Serializer):
    """Elected and certified, not in office yet: the seat is taken when the cohort's term ends."""

    status = serializers.SerializerMethodField()
    seat = serializers.IntegerField(source="seat_number")
    cohort = serializers.CharField(source="cohort_code")
    person = PersonSerializer()
    employer = serializers.CharField(source="employer_label")
    takes_office_on = serializers.DateField()
    election = serializers.CharField(source="election_title")
    election_url = serializers.CharField()
    certified_at = serializers.DateTimeField()

    @extend_schema_field({"type": "string", "enum": ["elected"]})
    def get_status(self, _elect: Any) -> str:
        return "elected"


class SeatSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    cohort = serializers.CharField(source="cohort.code")
    vacant_since = serializers.DateTimeField(allow_null=True)
    holder = serializers.SerializerMethodField()
    elected = serializers.SerializerMethodField()

    @extend_schema_field(HoldingSerializer(allow_null=True))
    def get_holder(self, seat: Any) -> dict[str, Any] | None:
        current = getattr(seat, "current", [])
        return dict(HoldingSerializer(current[0]).data) if current else None

    @extend_schema_field(DirectorElectSerializer(allow_null=True))
    def get_elected(self, seat: Any) -> dict[str, Any] | None:
        """Who was elected to this seat and takes office later (``null``: nobody pending)."""
        elect = getattr(seat, "elect", None)
        return dict(DirectorElectSerializer(elect).data) if elect is not None else None


class OfficerSerializer(serializers.Serializer):
    role = serializers.CharField()
    person = PersonSerializer(source="user")
    since = serializers.DateTimeField(source="starts_at")


class CohortSerializer(serializers.Serializer):
    code = serializers.CharField()
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    next_election_at = serializers.DateTimeField(allow_null=True)


class BoardSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField()
    rule_set_version = serializers.IntegerField(source="rules.version")
    in_office = serializers.IntegerField()
    vacancies = serializers.IntegerField()
    below_normal_size = serializers.BooleanField(source="below_normal")
    seats = SeatSerializer(many=True)
    directors_elect = DirectorElectSerializer(many=True, help_text="Elected, taking office later")
    officers = OfficerSerializer(many=True)
    cohorts = CohortSerializer(many=True)


class BoardHistorySerializer(serializers.Serializer):
    seat = serializers.IntegerField(source="seat.number")
    cohort = serializers.CharField(source="seat.cohort.code")
    person = PersonSerializer()
    employer = serializers.SerializerMethodField()
    source = serializers.CharField()
    decision = serializers.SerializerMethodField()
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_employer(self, holding: Any) -> str:
        return holding.employer.legal_name if holding.employer_id else holding.employer_label

    @extend_schema_field({"type": "string", "nullable": True})
    def get_decision(self, holding: Any) -> str | None:
        return holding.decision.reference if holding.decision_id else None


# --- Decisions, minutes, policies ------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField()
    meeting_kind = serializers.CharField(source="meeting.kind")
    rule_set_version = serializers.IntegerField(source="rule_set.version")

    class Meta:
        model = Decision
        fields = [
            "number",
            "reference",
            "title",
            "kind",
            "outcome",
            "decided_at",
            "meeting_kind",
            "rule_set_version",
            "needs_supermajority",
            "required_rule",
            "in_office",
            "present",
            "quorum_required",
            "quorum_present",
            "yes",
            "no",
            "abstain",
            "recused",
            "absent",
            "required_yes",
        ]


class VoteSerializer(serializers.Serializer):
    director = PersonSerializer()
    choice = serializers.CharField()
    conflict_note = serializers.CharField()


class DecisionDetailSerializer(DecisionSerializer):
    votes = VoteSerializer(many=True)
    adopts_rule_set_version = serializers.IntegerField(source="adopts_rule_set.version", allow_null=True)
    approves_minutes_number = serializers.IntegerField(source="approves_minutes.number", allow_null=True)
    adopts_policy = serializers.SerializerMethodField()

    class Meta(DecisionSerializer.Meta):
        fields = [
            *DecisionSerializer.Meta.fields,
            "text",
            "votes",
            "adopts_rule_set_version",
            "approves_minutes_number",
            "adopts_policy",
        ]

    @extend_schema_field({"type": "string", "nullable": True, "description": "slug@version"})
    def get_adopts_policy(self, decision: Any) -> str | None:
        version = decision.adopts_policy_version
        return f"{version.policy.slug}@{version.version}" if version else None


class MeetingRefSerializer(serializers.Serializer):
    title = serializers.CharField()
    kind = serializers.CharField()
    scheduled_at = serializers.DateTimeField()


class MinutesSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    meeting = MeetingRefSerializer()
    published_at = serializers.DateTimeField(allow_null=True)
    current_version = serializers.IntegerField()


class MinutesVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    reason = serializers.CharField()
    audit_head_seq = serializers.IntegerField(
        allow_null=True,
        help_text="The audit chain's head at publication: its sequence number (null before it was kept).",
    )
    audit_head_hash = serializers.CharField()
    body_md = serializers.CharField()


class MinutesDetailSerializer(MinutesSerializer):
    versions = MinutesVersionSerializer(many=True)


class PolicyVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    change_note = serializers.CharField()
    adopted_at = serializers.DateTimeField()
    adopted_by = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_adopted_by(self, version: Any) -> str | None:
        return version.adopted_by.reference if version.adopted_by_id else None


class PolicyVersionTextSerializer(PolicyVersionSerializer):
    body_md = serializers.CharField()


class PolicySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    current_version = serializers.IntegerField()
    versions = PolicyVersionSerializer(source="adopted_versions", many=True)


class PolicyDetailSerializer(PolicySerializer):
    versions = PolicyVersionTextSerializer(source="adopted_versions", many=True)
