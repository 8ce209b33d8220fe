"""Candidates and who nominated them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from elections.models.elections import Election


class CandidateState(models.TextChoices):
    NOMINATED = "nominated", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Candidate")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Did not accept in time")


class Candidate(models.Model):
    """A person nominated in an election; they stand once they accept."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name on the ballot"), max_length=200)
    state = models.CharField(max_length=10, choices=CandidateState.choices, default=CandidateState.NOMINATED)
    statement = models.TextField(_("statement"), blank=True)
    employer = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employer_name = models.CharField(_("employer as declared"), max_length=200, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_after_voting_opened = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["election", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="one_candidacy_per_person"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_ref(self) -> str:
        return f"candidate:{self.pk}"

    @property
    def group_key(self) -> str:
        """The corporate group for the anti-capture rule ("" when self-employed or none)."""
        if self.employer is not None:
            return self.employer.group_key
        return self.employer_name.strip().casefold()

    @property
    def stands(self) -> bool:
        return self.state == CandidateState.ACCEPTED


class Nomination(models.Model):
    """Who nominated whom: public. One per nominating member per election (a constraint)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="nominations")
    nominator = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="+")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="nominations")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "nominator"], name="one_nomination_per_nominator"),
        ]

    def __str__(self) -> str:
        return f"{self.nominator_id} → {self.candidate_id}"
