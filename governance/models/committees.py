"""Committees (membership grants roles) and directors' conflict-of-interest declarations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.models import Role, RoleAssignment


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
