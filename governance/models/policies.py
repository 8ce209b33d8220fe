"""Policies (and the bylaws) with their versioned texts, and the public change history."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from governance.models.decisions import Decision


class PolicyKind(models.TextChoices):
    BYLAWS = "bylaws", _("Bylaws")
    POLICY = "policy", _("Policy")


class Policy(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=PolicyKind.choices, default=PolicyKind.POLICY)
    summary = models.TextField(blank=True)
    current_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_ref(self) -> str:
        return f"policy:{self.slug}"


class PolicyVersion(models.Model):
    """One version of a policy's text; in force once adopted by a decision."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    body_md = models.TextField()
    change_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["policy", "version"]
        constraints = [models.UniqueConstraint(fields=["policy", "version"], name="policy_version_unique")]

    def __str__(self) -> str:
        return f"{self.policy} v{self.version}"


class ChangeRecord(models.Model):
    """The public change history: when a published item changed, and why."""

    at = models.DateTimeField(default=clock.now, db_index=True)
    item_type = models.CharField(max_length=20)
    item_label = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=300)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.item_label}: {self.summary}"
