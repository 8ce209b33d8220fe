"""Admin for every governance model: read-only.

Seats, committees, meetings, minutes, decisions and policies change only through the
services (``governance/services/``), which check who acts and write an audit entry; the
admin is a window for inspection. The rule set and roles are core's (``core/admin.py``).
"""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from governance.models import (
    AgendaItem,
    Attendance,
    ChangeRecord,
    Cohort,
    Committee,
    CommitteeMembership,
    ConflictDeclaration,
    Decision,
    Meeting,
    Minutes,
    MinutesVersion,
    Policy,
    PolicyVersion,
    Seat,
    SeatHolding,
    Vote,
)


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = ("code", "term_start", "term_end", "next_election_at")


class SeatHoldingInline(ReadOnlyInline):
    model = SeatHolding
    fields = ("person", "employer_name", "source", "starts_at", "ends_at", "end_reason")


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ("number", "cohort", "vacant_since", "abolished_at")
    list_filter = ("cohort",)
    search_fields = ("number", "created_reason", "vacancy_reason")
    inlines = [SeatHoldingInline]


@admin.register(SeatHolding)
class SeatHoldingAdmin(ReadOnlyAdmin):
    list_display = ("seat", "person", "employer_name", "source", "starts_at", "ends_at", "end_reason")
    list_filter = ("source", "end_reason", "seat__cohort")
    search_fields = ("person__email", "person__full_name", "employer_name")


class CommitteeMembershipInline(ReadOnlyInline):
    model = CommitteeMembership
    fields = ("person", "is_chair", "starts_at", "ends_at")


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "member_role", "chair_role")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "description")
    inlines = [CommitteeMembershipInline]


@admin.register(CommitteeMembership)
class CommitteeMembershipAdmin(ReadOnlyAdmin):
    list_display = ("committee", "person", "is_chair", "starts_at", "ends_at")
    list_filter = ("committee", "is_chair")
    search_fields = ("person__email", "person__full_name")


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("person", "filed_at")
    date_hierarchy = "filed_at"
    search_fields = ("person__email", "person__full_name", "interests")


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem


class AttendanceInline(ReadOnlyInline):
    model = Attendance


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "scheduled_at", "status")
    list_filter = ("kind", "status")
    search_fields = ("title", "location")
    date_hierarchy = "scheduled_at"
    inlines = [AgendaItemInline, AttendanceInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "position", "title")
    search_fields = ("title", "body")


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "person", "status", "is_director")
    list_filter = ("status", "is_director")
    search_fields = ("person__email", "person__full_name", "meeting__title")


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ("number", "meeting", "status", "current_version", "published_at")
    list_filter = ("status",)
    search_fields = ("number", "meeting__title", "draft_md")


@admin.register(MinutesVersion)
class MinutesVersionAdmin(ReadOnlyAdmin):
    list_display = ("minutes", "version", "published_at", "reason")
    search_fields = ("minutes__number", "reason", "body_md")


class VoteInline(ReadOnlyInline):
    model = Vote
    fields = ("director", "choice", "conflict_note")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "kind", "decided_at", "outcome")
    list_filter = ("kind", "outcome", "needs_supermajority", "quorum_present")
    search_fields = ("number", "title", "text")
    date_hierarchy = "decided_at"
    inlines = [VoteInline]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("decision", "director", "choice")
    list_filter = ("choice",)
    search_fields = ("director__email", "director__full_name", "conflict_note")


class PolicyVersionInline(ReadOnlyInline):
    model = PolicyVersion
    fields = ("version", "adopted_at", "adopted_by", "change_note")


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "current_version")
    list_filter = ("kind",)
    search_fields = ("title", "slug", "summary")
    inlines = [PolicyVersionInline]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ("policy", "version", "adopted_at", "change_note")
    list_filter = ("policy",)
    search_fields = ("policy__title", "change_note", "body_md")


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "item_type", "item_label", "summary", "reason")
    list_filter = ("item_type",)
    search_fields = ("item_label", "summary", "reason")
    date_hierarchy = "at"
