"""Roles (director, officer, committee member) and who holds them when."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


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
        # The model moved from governance to core; its table kept its name.
        db_table = "governance_roleassignment"
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
