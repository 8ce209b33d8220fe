"""Shapes of the public elections API: people by name on the ballot, members by number."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class RollFiguresSerializer(serializers.Serializer):
    frozen_at = serializers.DateTimeField(source="roll_frozen_at", allow_null=True)
    fingerprint = serializers.CharField(
        source="roll_fingerprint",
        help_text=(
            "SHA-256 (hex) of the roll's published lines (`roll.txt`): one `<token> <weight>` line per row, "
            "sorted, the token being the member number, or for a member hidden from the directory "
            "sha256(member number + their salt). Version 1 (older rolls): `<member number> <weight>` lines."
        ),
    )
    fingerprint_version = serializers.IntegerField(
        source="roll_fingerprint_version",
        allow_null=True,
        help_text="1 or 2 (see fingerprint); null before the freeze.",
    )
    rows = serializers.IntegerField(source="roll_rows")
    weight = serializers.IntegerField(source="roll_weight")
    by_class = serializers.JSONField(source="roll_by_class", help_text="class code → {rows, weight}")


class ElectionSerializer(serializers.Serializer):
    id = serializers.CharField(source="slug", help_text="The election's public id (its slug).")
    title = serializers.CharField()
    method = serializers.CharField()
    state = serializers.CharField()
    rule_set_version = serializers.IntegerField(source="rule_set.version")
    seats = serializers.SerializerMethodField()
    record_date = serializers.DateTimeField()
    nominations_open_at = serializers.DateTimeField()
    nominations_close_at = serializers.DateTimeField()
    voting_opens_at = serializers.DateTimeField()
    voting_closes_at = serializers.DateTimeField()
    extensions = serializers.IntegerField()
    results_public = serializers.BooleanField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_seats(self, election: Any) -> list[int]:
        return sorted(seat.number for seat in election.seats.all())


class ElectionDetailSerializer(ElectionSerializer):
    description = serializers.CharField()
    roll = RollFiguresSerializer(source="*")
    turnout = serializers.JSONField(
        allow_null=True,
        help_text="Rows and weight on the roll and that voted, by class; null before the roll.",
    )
    tie_order = serializers.ListField(child=serializers.CharField())
    public_report = serializers.CharField()
    cancel_reason = serializers.CharField()


class NominatorSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The nominating member's public number.")
    name = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, membership: Any) -> str:
        # Names only, never an email address (an individual without a name shows ""); the
        # public display name when the person chose one, as on the election's page.
        if membership.organisation_id:
            return str(membership.organisation.legal_name)
        if not membership.user_id:
            return ""
        return str(membership.user.display_name or membership.user.full_name)


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The id used in the anonymised ballots and the count.")
    name = serializers.CharField()
    state = serializers.CharField()
    statement = serializers.CharField()
    employer = serializers.SerializerMethodField()
    nominators = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_employer(self, candidate: Any) -> str:
        return candidate.employer.legal_name if candidate.employer_id else candidate.employer_label

    @extend_schema_field(NominatorSerializer(many=True))
    def get_nominators(self, candidate: Any) -> list[dict[str, Any]]:
        return [dict(NominatorSerializer(n.nominator).data) for n in candidate.nominations.all()]


class ResultsSerializer(serializers.Serializer):
    id = serializers.CharField()
    method = serializers.CharField()
    seats = serializers.IntegerField()
    elected = serializers.ListField(child=serializers.CharField(), help_text="Names, in order of election.")
    rounds = serializers.ListField(child=serializers.JSONField(), help_text="Every round of the count.")
    ties = serializers.ListField(child=serializers.JSONField())
    notes = serializers.ListField(child=serializers.CharField())
    total = serializers.CharField(allow_null=True)
    candidate_ids = serializers.JSONField(help_text="name → candidate id")
    tie_order = serializers.ListField(child=serializers.CharField())
    turnout = serializers.JSONField()
    counted_at = serializers.DateTimeField(allow_null=True)
    certified_at = serializers.DateTimeField(allow_null=True)
    certified_head_seq = serializers.IntegerField(
        allow_null=True, help_text="The audit chain's head at certification: its sequence number."
    )
    certified_head_hash = serializers.CharField(
        allow_blank=True, help_text="The audit chain's head at certification: its hash (SHA-256, hex)."
    )
    count_method = serializers.CharField(
        help_text="The method the count ran: approval for plurality with several seats, or the rule "
        "set's fallback method when the count did not finish in its time budget."
    )
    package = serializers.JSONField(
        allow_null=True,
        help_text="The signed count package the result rests on: version, file name, SHA-256 of the "
        "archive and of its ballots.blt, and the recount command.",
    )
    ballots_published = serializers.BooleanField(
        help_text="False where the rule set withholds the ballots (and the package) from the public."
    )


class TrackerSerializer(serializers.Serializer):
    election = serializers.CharField()
    code = serializers.CharField()
    found = serializers.BooleanField(
        help_text="This code was issued for a ballot that is in the counted set (codes are not linked to ballots)."
    )
