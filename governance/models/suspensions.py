"""Suspensions of members, each ordered and lifted by an adopted decision of the register.

The register is the source of truth: a suspension names the decision that ordered it and,
once lifted, the decision that lifted it. The membership's own history (members) records
the state change when the suspension takes effect, ``suspension_notice_days`` after the
notice (the rule set in force at the notice date).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models.decisions import Decision


class SuspensionStatus(models.TextChoices):
    PENDING = "pending", _("Notice given, not yet in effect")
    EFFECTIVE = "effective", _("In effect")
    LIFTED = "lifted", _("Lifted")
    VOID = "void", _("Void (the membership changed before it took effect)")


class Suspension(models.Model):
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="suspensions")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="suspensions")
    reason = models.TextField()
    notice_date = models.DateField()
    effective_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=10, choices=SuspensionStatus.choices, default=SuspensionStatus.PENDING
    )
    ordered_at = models.DateTimeField()
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    lifted_by_decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="lifted_suspensions"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        constraints = [
            # At most one suspension waiting or in force per membership.
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(status__in=["pending", "effective"]),
                name="one_open_suspension_per_membership",
            ),
            models.CheckConstraint(
                condition=~Q(status="lifted") | Q(lifted_by_decision__isnull=False),
                name="lifted_suspension_names_its_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} by {self.decision_id} ({self.status})"

    @property
    def audit_ref(self) -> str:
        return f"suspension:{self.pk}"
