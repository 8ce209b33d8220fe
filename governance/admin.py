"""Admin for every governance model. Changes to governed state belong in the services;
the admin is for inspection and repairs, and published records are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.models import RoleAssignment, RuleSet
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: visible, never edited or deleted through the admin."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("version", "name", "effective_from", "adopted_by")
    search_fields = ("name", "adopted_by", "notes")
    date_hierarchy = "effective_from"


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "starts_at", "ends_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__full_name", "note")
    raw_id_fields = ("user",)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("code", "term_start", "term_end", "next_election_at")


class SeatHoldingInline(admin.TabularInline):
    model = SeatHolding
    extra = 0
    raw_id_fields = ("person", "employer", "decision")


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ("number", "cohort", "vacant_since", "abolished_at")
    list_filter = ("cohort",)
    search_fields = ("number", "created_reason", "vacancy_reason")
    inlines = [SeatHoldingInline]


@admin.register(SeatHolding)
class SeatHoldingAdmin(admin.ModelAdmin):
    list_display = ("seat", "person", "employer_name", "source", "starts_at", "ends_at", "end_reason")
    list_filter = ("source", "end_reason", "seat__cohort")
    search_fields = ("person__email", "person__full_name", "employer_name")
    raw_id_fields = ("person", "employer", "decision")


class CommitteeMembershipInline(admin.TabularInline):
    model = CommitteeMembership
    extra = 0
    raw_id_fields = ("person",)
    exclude = ("assignments",)


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "member_role", "chair_role")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "description")
    inlines = [CommitteeMembershipInline]


@admin.register(CommitteeMembership)
class CommitteeMembershipAdmin(admin.ModelAdmin):
    list_display = ("committee", "person", "is_chair", "starts_at", "ends_at")
    list_filter = ("committee", "is_chair")
    search_fields = ("person__email", "person__full_name")
    raw_id_fields = ("person",)
    filter_horizontal = ("assignments",)


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ("person", "filed_at")
    date_hierarchy = "filed_at"
    search_fields = ("person__email", "person__full_name", "interests")
    raw_id_fields = ("person",)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ("person",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "scheduled_at", "status")
    list_filter = ("kind", "status")
    search_fields = ("title", "location")
    date_hierarchy = "scheduled_at"
    raw_id_fields = ("called_by",)
    inlines = [AgendaItemInline, AttendanceInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ("meeting", "position", "title")
    search_fields = ("title", "body")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("meeting", "person", "status", "is_director")
    list_filter = ("status", "is_director")
    search_fields = ("person__email", "person__full_name", "meeting__title")
    raw_id_fields = ("person", "meeting")


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ("number", "meeting", "status", "current_version", "published_at")
    list_filter = ("status",)
    search_fields = ("number", "meeting__title", "draft_md")
    raw_id_fields = ("meeting", "approved_by")
    readonly_fields = ("current_version", "published_at", "search_text")


@admin.register(MinutesVersion)
class MinutesVersionAdmin(ReadOnlyAdmin):
    list_display = ("minutes", "version", "published_at", "reason")
    search_fields = ("minutes__number", "reason", "body_md")


class VoteInline(admin.TabularInline):
    model = Vote
    extra = 0
    can_delete = False
    readonly_fields = ("director", "choice", "conflict_note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


class PolicyVersionInline(admin.TabularInline):
    model = PolicyVersion
    extra = 0
    readonly_fields = ("version", "adopted_at", "adopted_by")


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "current_version")
    list_filter = ("kind",)
    search_fields = ("title", "slug", "summary")
    inlines = [PolicyVersionInline]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ("policy", "version", "adopted_at", "change_note")
    list_filter = ("policy",)
    search_fields = ("policy__title", "change_note", "body_md")
    raw_id_fields = ("adopted_by",)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "item_type", "item_label", "summary", "reason")
    list_filter = ("item_type",)
    search_fields = ("item_label", "summary", "reason")
    date_hierarchy = "at"
