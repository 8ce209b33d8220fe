"""Django admin for elections: read-only. Every change goes through the services.

Ballots, trackers, roll entries (who has voted) and pending receipts are not in the admin
at all: together they are what ballot secrecy keeps apart.
"""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from elections.models import (
    Candidate,
    Dispute,
    Election,
    ElectionRules,
    Nomination,
    RollCorrection,
)


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


@admin.register(RollCorrection)
class RollCorrectionAdmin(ReadOnlyAdmin):
    list_display = ("election", "membership", "action", "weight", "created_at")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("election", "state", "filed_at", "decided_at")
    list_filter = ("state",)
