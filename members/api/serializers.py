"""Shapes of the members API. Serializers only shape data; who sees what is decided in
``members.permissions`` and the answer itself in ``members.rights``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.errors import ValidationFailed
from members.models import MembershipState
from members.rights import VotingRights

STANDINGS = [*MembershipState.values, "none"]


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable: not_a_member, pending, dues_unpaid, lapsed, suspended, …")
    message = serializers.CharField()
    since = serializers.DateTimeField(allow_null=True)


class SubjectSerializer(serializers.Serializer):
    number = serializers.CharField(source="subject", help_text="The public member number.")
    type = serializers.ChoiceField(source="subject_type", choices=["individual", "organisation"])
    name = serializers.CharField(
        required=False, help_text="Organisations always; individuals in full answers."
    )


class ClassRefSerializer(serializers.Serializer):
    code = serializers.CharField(source="class_code")
    name = serializers.CharField(source="class_name")


class VotingRightsSerializer(serializers.Serializer):
    """The answer. ``standing`` and ``reasons`` are present only when the caller may see them."""

    subject = SubjectSerializer(source="*")
    eligible = serializers.BooleanField()
    weight = serializers.IntegerField(min_value=0)
    standing = serializers.ChoiceField(choices=STANDINGS, required=False)
    reasons = ReasonSerializer(many=True, required=False)
    as_of = serializers.DateTimeField()
    rule_set_version = serializers.IntegerField(allow_null=True)
    election = serializers.CharField(
        required=False, help_text="With ?election=: the election whose frozen roll answered."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        ordered: dict[str, serializers.Field] = {}
        for name, field in fields.items():
            ordered[name] = field
            if name == "weight":
                ordered["class"] = ClassRefSerializer(source="*")  # "class" is a Python keyword
        return ordered


class MyVotingRightsSerializer(serializers.Serializer):
    member = VotingRightsSerializer(allow_null=True, help_text="Your own membership, if you have one.")
    organisations = VotingRightsSerializer(
        many=True, help_text="Every organisation you represent or administer."
    )


_DATETIME = serializers.DateTimeField()  # its representation (ISO 8601, "Z" for UTC), reused


def rights_answer(rights: VotingRights, *, full: bool, election: str = "") -> dict[str, Any]:
    """The JSON answer; without ``full``, only eligible, weight and class (and no name).

    The shape ``VotingRightsSerializer`` documents, built as a plain dict: the voting-rights
    endpoints are polled, and a serializer's per-call field set-up cost more than the answer
    itself. A test checks both give the same JSON for random answers.
    """
    subject: dict[str, Any] = {"number": rights.subject, "type": rights.subject_type}
    if full:
        subject["name"] = rights.name
    data: dict[str, Any] = {
        "subject": subject,
        "eligible": bool(rights.eligible),
        "weight": int(rights.weight),
        "class": {"code": rights.class_code, "name": str(rights.class_name)},
    }
    if full:
        data["standing"] = rights.standing
        data["reasons"] = [
            {"code": r.code, "message": str(r.message), "since": _DATETIME.to_representation(r.since)}
            for r in rights.reasons
        ]
    data["as_of"] = _DATETIME.to_representation(rights.as_of)
    data["rule_set_version"] = rights.rule_set_version
    if election:
        data["election"] = election
    return data


def parse_at(value: str | None) -> dt.datetime | None:
    """``?at=`` as an aware datetime (UTC when no offset is given), or a clear 400."""
    if value is None or value == "":
        return None
    try:
        parsed = parse_datetime(value.strip())
        if parsed is not None and timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=dt.UTC)
        if parsed is not None:
            parsed.astimezone(dt.UTC)  # overflows near year 1 or 9999
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise ValidationFailed(
            _("“at” must be an ISO 8601 date and time, for example 2026-05-01T00:00:00Z."),
            code="invalid_at",
            detail={"at": value[:100]},
        )
    return parsed


# --- Public lists ----------------------------------------------------------------------


class MembershipClassSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField()
    vote_weight = serializers.IntegerField()
    annual_dues_minor = serializers.IntegerField(help_text="Yearly dues in minor units (cents).")
    currency = serializers.CharField()
    in_kind_allowed = serializers.BooleanField()
    is_sponsor = serializers.BooleanField()
    board_seats_per_member = serializers.IntegerField()
    rule_set_version = serializers.IntegerField(source="rule_set.version")


class DirectoryOrganisationSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The public member number.")
    name = serializers.CharField(source="organisation.legal_name")
    slug = serializers.CharField(source="organisation.slug")
    website = serializers.CharField(source="organisation.website")
    class_code = serializers.CharField()
    member_since = serializers.DateTimeField(allow_null=True)
