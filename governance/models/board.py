"""The board: staggered cohorts, seats, and who holds each seat when."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


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
    # The employer the director declared, chosen from the list: a member organisation or a
    # corporate group, or ``independent`` declared explicitly (shown publicly). ``employer_name``
    # keeps the label as declared; holdings from before the list may have only that (legacy).
    employer = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employer_group = models.ForeignKey(
        "members.CorporateGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    independent = models.BooleanField(_("independent (no employer)"), default=False)
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
            models.CheckConstraint(
                condition=Q(independent=False) | (Q(employer__isnull=True) & Q(employer_group__isnull=True)),
                name="holding_independent_has_no_employer",
            ),
        ]
        verbose_name = _("seat holding")
        verbose_name_plural = _("seat holdings")

    def __str__(self) -> str:
        return f"{self.seat} — {self.person}"

    @property
    def employer_label(self) -> str:
        """The employer as the public board shows it ("Independent" when declared so)."""
        if self.independent:
            return str(_("Independent"))
        return self.employer_name
