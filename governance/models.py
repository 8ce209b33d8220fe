"""Governance: the rule set (the bylaws as data) and who holds which role when."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


def reference_reminder_offsets() -> list[int]:
    """The reference foundation's renewal reminders: 30, 7 and 1 days before expiry."""
    return [30, 7, 1]


def reference_cohorts() -> list[str]:
    """The reference foundation's four staggered cohorts."""
    return ["A", "B", "C", "D"]


def reference_supermajority_types() -> list[str]:
    """Bylaw amendments, board-size changes, removals and rule changes need two thirds."""
    return ["bylaws_amendment", "board_size_change", "director_removal", "rule_set_change"]


def reference_antitrust_statement() -> str:
    return (
        "The foundation complies with all applicable antitrust and competition laws. "
        "Participants must not discuss prices, costs, margins, bids, market allocation, "
        "customers or suppliers of their companies, or any other competitively sensitive "
        "information. Raise concerns with the chair or counsel at once."
    )


MAJORITY_BASES = [
    ("cast", _("votes cast (yes and no)")),
    ("present", _("directors present")),
    ("in_office", _("directors in office")),
]


class RuleSet(models.Model):
    """One version of the foundation's rules. Every bylaws number lives here.

    A version takes effect at ``effective_from`` and stays in force until the next
    version's. Anything that depends on the rules (an election, an invoice, a
    decision) stores the version it was created under. Versions are never edited
    once in force: a change is a new version, adopted by a decision.
    """

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    effective_from = models.DateTimeField(db_index=True)
    adopted_by = models.CharField(
        _("adopted by"), max_length=300, blank=True, help_text=_("The decision that adopted it.")
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)

    # --- Membership (issue: membership) ----------------------------------------------
    membership_term_days = models.PositiveIntegerField(_("membership term (days)"), default=365)
    reminder_offsets_days = models.JSONField(
        _("renewal reminders (days before expiry)"), default=reference_reminder_offsets, blank=True
    )
    grace_days = models.PositiveIntegerField(_("grace period (days)"), default=30)
    grace_may_vote = models.BooleanField(_("members in grace may vote"), default=False)
    min_membership_days_before_record_date = models.PositiveIntegerField(
        _("minimum days of membership before a record date"), default=0
    )
    not_reached_after_days = models.PositiveIntegerField(
        _("not reached: days without action after the last reminder"), default=7
    )

    # --- Board (issue: governance) ---------------------------------------------------
    board_min_size = models.PositiveSmallIntegerField(_("board: minimum size"), default=1)
    board_normal_min_size = models.PositiveSmallIntegerField(
        _("board: normal minimum size (a warning when below)"), default=7
    )
    board_max_size = models.PositiveSmallIntegerField(_("board: maximum size"), default=13)
    board_max_per_group = models.PositiveSmallIntegerField(
        _("board: maximum directors per organisation or corporate group"), default=1
    )
    board_term_years = models.PositiveSmallIntegerField(_("board: term (years)"), default=4)
    board_cohorts = models.JSONField(_("board: cohorts"), default=reference_cohorts)
    board_consecutive_terms = models.PositiveSmallIntegerField(
        _("board: consecutive terms before a gap"), default=2
    )
    board_term_gap_years = models.PositiveSmallIntegerField(
        _("board: gap after the limit (years)"), default=1
    )
    board_vacancy_window_months = models.PositiveSmallIntegerField(
        _("board: appointment window before an election (months)"), default=3
    )
    board_quorum_numerator = models.PositiveSmallIntegerField(_("board quorum: numerator"), default=1)
    board_quorum_denominator = models.PositiveSmallIntegerField(_("board quorum: denominator"), default=2)
    board_quorum_strict = models.BooleanField(
        _("board quorum: strictly more than the fraction of directors in office"), default=True
    )
    recused_count_for_quorum = models.BooleanField(_("recused directors count toward quorum"), default=True)
    majority_numerator = models.PositiveSmallIntegerField(_("ordinary majority: numerator"), default=1)
    majority_denominator = models.PositiveSmallIntegerField(_("ordinary majority: denominator"), default=2)
    majority_strict = models.BooleanField(_("ordinary majority: strictly more than"), default=True)
    majority_base = models.CharField(
        _("ordinary majority: counted of"), max_length=12, choices=MAJORITY_BASES, default="cast"
    )
    supermajority_numerator = models.PositiveSmallIntegerField(_("supermajority: numerator"), default=2)
    supermajority_denominator = models.PositiveSmallIntegerField(_("supermajority: denominator"), default=3)
    supermajority_strict = models.BooleanField(_("supermajority: strictly more than"), default=False)
    supermajority_base = models.CharField(
        _("supermajority: counted of"), max_length=12, choices=MAJORITY_BASES, default="in_office"
    )
    supermajority_decision_types = models.JSONField(
        _("decision types that need the supermajority"), default=reference_supermajority_types
    )
    written_consent_objection_limit = models.PositiveSmallIntegerField(
        _("written consent fails when this many directors object"), default=2
    )
    conflict_declaration_days = models.PositiveSmallIntegerField(
        _("conflict-of-interest declaration valid for (days)"), default=365
    )
    antitrust_statement = models.TextField(
        _("antitrust statement (opens every agenda)"), default=reference_antitrust_statement
    )

    # --- Dues (issue: sponsor dues) -------------------------------------------------------
    invoice_issue_days_before_expiry = models.PositiveIntegerField(
        _("dues invoices issued (days before expiry)"), default=30
    )
    lobbying_share_percent = models.PositiveSmallIntegerField(
        _("share of dues used for lobbying (%)"), default=0, validators=[MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted((int(d) for d in self.reminder_offsets_days), reverse=True)

    @property
    def cohorts(self) -> list[str]:
        return [str(c) for c in self.board_cohorts]


class Role(models.TextChoices):
    DIRECTOR = "director", _("Director")
    CHAIR = "chair", _("Board chair")
    SECRETARY = "secretary", _("Secretary")
    TREASURER = "treasurer", _("Treasurer")
    MEMBERSHIP_COMMITTEE = "membership_committee", _("Membership committee member")
    ELECTION_COMMITTEE = "election_committee", _("Election committee member")
    ELECTION_COMMITTEE_CHAIR = "election_committee_chair", _("Election committee chair")
    ELECTION_OBSERVER = "election_observer", _("Election observer")
    STAFF = "staff", _("Staff")


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self, at: dt.datetime | None = None) -> RoleAssignmentQuerySet:
        at = at or clock.now()
        return self.filter(Q(starts_at__lte=at), Q(ends_at__isnull=True) | Q(ends_at__gt=at))


class RoleAssignment(models.Model):
    """Who holds which role, from when until when (``ends_at`` open while current)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    starts_at = models.DateTimeField(default=clock.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["role", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="role_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["user", "role"], name="role_user_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


# --- The board ------------------------------------------------------------------------


class Cohort(models.Model):
    """One of the staggered cohorts (A-D): its seats share a term and an election.

    ``next_election_at`` is when the election that fills this cohort's seats is due
    (the elections app sets it; by default the current term's end).
    """

    code = models.CharField(max_length=8, unique=True)
    term_start = models.DateField()
    term_end = models.DateField()
    next_election_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")

    def __str__(self) -> str:
        return _("Cohort %(code)s") % {"code": self.code}


class Seat(models.Model):
    """A board seat. Holders come and go (``SeatHolding``); the seat stays."""

    number = models.PositiveSmallIntegerField(unique=True)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="seats")
    created_at = models.DateTimeField(default=clock.now)
    created_reason = models.CharField(max_length=300, blank=True)
    abolished_at = models.DateTimeField(null=True, blank=True)
    vacant_since = models.DateTimeField(null=True, blank=True)
    vacancy_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")

    def __str__(self) -> str:
        return _("Seat %(number)s") % {"number": self.number}

    @property
    def audit_ref(self) -> str:
        return f"seat:{self.number}"


class HoldingSource(models.TextChoices):
    FOUNDING = "founding", _("Founding board")
    ELECTION = "election", _("Election")
    APPOINTMENT = "appointment", _("Appointment by the board")


class HoldingEnd(models.TextChoices):
    TERM_ENDED = "term_ended", _("Term ended")
    RESIGNED = "resigned", _("Resigned")
    REMOVED = "removed", _("Removed by the board")
    ORGANISATION_LEFT = "organisation_left", _("Sponsoring organisation left the foundation")
    EMPLOYMENT_ENDED = "employment_ended", _("Left the sponsoring organisation")
    SEAT_ABOLISHED = "seat_abolished", _("Seat abolished")


class SeatHoldingQuerySet(models.QuerySet["SeatHolding"]):
    def active(self, at: dt.datetime | None = None) -> SeatHoldingQuerySet:
        at = at or clock.now()
        return self.filter(Q(starts_at__lte=at), Q(ends_at__isnull=True) | Q(ends_at__gt=at))


class SeatHolding(models.Model):
    """A person holding a seat for (part of) a cohort's term, with the employer they declared."""

    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="holdings")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seat_holdings"
    )
    employer = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employer_name = models.CharField(_("employer as declared"), max_length=200, blank=True)
    source = models.CharField(max_length=12, choices=HoldingSource.choices)
    decision = models.ForeignKey(
        "governance.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    term_start = models.DateField()
    term_end = models.DateField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=HoldingEnd.choices, blank=True)
    end_note = models.CharField(max_length=300, blank=True)

    objects = SeatHoldingQuerySet.as_manager()

    class Meta:
        ordering = ["seat", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat"], condition=Q(ends_at__isnull=True), name="one_holder_per_seat"
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(ends_at__isnull=True), name="one_seat_per_person"
            ),
        ]
        verbose_name = _("seat holding")
        verbose_name_plural = _("seat holdings")

    def __str__(self) -> str:
        return f"{self.seat} — {self.person}"


class CommitteeKind(models.TextChoices):
    MEMBERSHIP = "membership", _("Membership committee")
    ELECTION = "election", _("Election committee")
    OTHER = "other", _("Other committee")


class Committee(models.Model):
    """A committee; membership grants ``member_role`` (and ``chair_role`` to its chair)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=CommitteeKind.choices, default=CommitteeKind.OTHER)
    description = models.TextField(blank=True)
    member_role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    chair_role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name


class CommitteeMembershipQuerySet(models.QuerySet["CommitteeMembership"]):
    def active(self, at: dt.datetime | None = None) -> CommitteeMembershipQuerySet:
        at = at or clock.now()
        return self.filter(Q(starts_at__lte=at), Q(ends_at__isnull=True) | Q(ends_at__gt=at))


class CommitteeMembership(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_memberships"
    )
    is_chair = models.BooleanField(default=False)
    starts_at = models.DateTimeField(default=clock.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)
    assignments = models.ManyToManyField(RoleAssignment, blank=True, related_name="+")

    objects = CommitteeMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "-is_chair", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "person"],
                condition=Q(ends_at__isnull=True),
                name="one_open_committee_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.committee} — {self.person}"


class ConflictDeclaration(models.Model):
    """A director's yearly conflict-of-interest declaration."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflict_declarations"
    )
    filed_at = models.DateTimeField(default=clock.now)
    interests = models.TextField(_("interests declared"), blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")

    def __str__(self) -> str:
        return f"{self.person} ({self.filed_at:%Y-%m-%d})"


from governance.models_meetings import (  # noqa: E402  (the models module is split in two)
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ChangeRecord,
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
    Minutes,
    MinutesVersion,
    Outcome,
    Policy,
    PolicyVersion,
    Vote,
    VoteChoice,
)

__all__ = [
    "AgendaItem",
    "Attendance",
    "AttendanceStatus",
    "ChangeRecord",
    "Cohort",
    "Committee",
    "CommitteeKind",
    "CommitteeMembership",
    "ConflictDeclaration",
    "Decision",
    "DecisionKind",
    "HoldingEnd",
    "HoldingSource",
    "Meeting",
    "MeetingKind",
    "Minutes",
    "MinutesVersion",
    "Outcome",
    "Policy",
    "PolicyVersion",
    "Role",
    "RoleAssignment",
    "RuleSet",
    "Seat",
    "SeatHolding",
    "Vote",
    "VoteChoice",
]
