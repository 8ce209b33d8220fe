"""Written consents: a resolution the secretary proposes and each director confirms in writing.

A written consent is a ``Meeting`` of kind ``written_consent`` (so its decision sits in the
register like any other) plus the proposal below. Each director in office confirms their own
vote before the deadline; a confirmation is final, like a signature on the consent. At the
deadline (or as soon as every director has answered) the confirmations are tallied by
``governance.voting`` and the result is recorded as a decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from governance.models.decisions import Decision, DecisionKind
from governance.models.meetings import Meeting


class ConsentStatus(models.TextChoices):
    OPEN = "open", _("Open for the directors' votes")
    DECIDED = "decided", _("Tallied")


class WrittenConsent(models.Model):
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="written_consent")
    title = models.CharField(max_length=300)
    text = models.TextField()
    kind = models.CharField(max_length=20, choices=DecisionKind.choices, default=DecisionKind.ORDINARY)
    deadline = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.OPEN)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="written_consent"
    )

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("written consent")
        verbose_name_plural = _("written consents")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_ref(self) -> str:
        return f"written_consent:{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == ConsentStatus.OPEN and clock.now() < self.deadline


class ConsentChoice(models.TextChoices):
    YES = "yes", _("For")
    NO = "no", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class ConsentVote(models.Model):
    """One director's confirmed vote on a written consent: one per director, never changed."""

    consent = models.ForeignKey(WrittenConsent, on_delete=models.CASCADE, related_name="votes")
    director = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=ConsentChoice.choices)
    confirmed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["consent", "confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["consent", "director"], name="one_consent_vote_per_director")
        ]

    def __str__(self) -> str:
        return f"{self.director}: {self.choice}"
