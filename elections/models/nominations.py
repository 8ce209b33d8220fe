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
    # The employer declared on accepting, chosen from the list: a member organisation or a
    # corporate group, or ``independent`` declared explicitly (shown publicly). ``employer_name``
    # keeps the label; candidacies from before the list may have only that (legacy).
    employer = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employer_group = models.ForeignKey(
        "members.CorporateGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    independent = models.BooleanField(_("independent (no employer)"), default=False)
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
    def employer_label(self) -> str:
        """The employer as public pages show it ("Independent" when declared so)."""
        if self.independent:
            return str(_("Independent"))
        return self.employer_name

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
