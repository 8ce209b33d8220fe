"""Members' data rights: a request to be forgotten, approved by the membership committee."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


class ErasureState(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the membership committee")
    ERASED = "erased", _("Erased")
    REJECTED = "rejected", _("Refused by the membership committee")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ErasureRequest(models.Model):
    """A person's request that Charter forget them, and what came of it.

    The row outlives the erasure: it records *that* a request was made, decided and
    carried out (``summary`` counts what was removed or kept, never the data itself). After
    the erasure ``user`` is the pseudonymised account (``pseudonym`` is its new name).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure_requests"
    )
    state = models.CharField(max_length=10, choices=ErasureState.choices, default=ErasureState.REQUESTED)
    requested_at = models.DateTimeField(default=clock.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason for refusing"), blank=True)
    pseudonym = models.CharField(max_length=60, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(state="requested"), name="one_open_erasure_request_per_user"
            )
        ]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")

    def __str__(self) -> str:
        return f"erasure request #{self.pk} ({self.state})"

    @property
    def audit_ref(self) -> str:
        return f"erasure_request:{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state == ErasureState.REQUESTED
