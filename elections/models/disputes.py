"""Disputes members file about an election, and the chair's published decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from elections.models.elections import Election


class Dispute(models.Model):
    """A member's dispute; the committee chair decides it, with a published reason."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="disputes")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("what is wrong"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    decision_reason = models.TextField(_("decision and reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_at = models.DateTimeField(default=clock.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"{self.election_id} #{self.pk}"

    @property
    def audit_ref(self) -> str:
        return f"dispute:{self.pk}"
