"""Governance: the rule set (the bylaws as data) and who holds which role when."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


def reference_reminder_offsets() -> list[int]:
    """The reference foundation's renewal reminders: 30, 7 and 1 days before expiry."""
    return [30, 7, 1]


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

    class Meta:
        ordering = ["-version"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted((int(d) for d in self.reminder_offsets_days), reverse=True)


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
