"""Django admin for elections: read-mostly. Every change goes through the services.

Ballots and trackers are read-only and hold no voter information to show.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from elections.models import (
    Ballot,
    Candidate,
    Dispute,
    Election,
    ElectionRules,
    Nomination,
    RollCorrection,
    RollEntry,
    Tracker,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ElectionRules)
class ElectionRulesAdmin(ReadOnlyAdmin):
    list_display = (
        "rule_set",
        "nominations_open_days",
        "nominations_close_days",
        "min_voting_days",
        "max_extensions",
    )


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin):
    list_display = ("title", "state", "method", "voting_opens_at", "voting_closes_at", "rule_set")
    list_filter = ("state", "method")
    search_fields = ("title", "slug")


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ("name", "election", "state", "employer_name", "accepted_at")
    list_filter = ("state",)


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ("election", "nominator", "candidate", "created_at")


@admin.register(RollEntry)
class RollEntryAdmin(ReadOnlyAdmin):
    list_display = ("member_number", "election", "class_code", "weight", "has_voted")
    list_filter = ("election", "class_code")
    search_fields = ("member_number",)


@admin.register(RollCorrection)
class RollCorrectionAdmin(ReadOnlyAdmin):
    list_display = ("election", "membership", "action", "weight", "created_at")


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ("id", "election", "weight", "choices")
    list_filter = ("election",)


@admin.register(Tracker)
class TrackerAdmin(ReadOnlyAdmin):
    list_display = ("code", "election")
    list_filter = ("election",)
    ordering = ("code",)


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("election", "state", "filed_at", "decided_at")
    list_filter = ("state",)
