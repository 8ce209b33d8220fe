"""Board decisions with their roll calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models.meetings import Meeting, Minutes


class DecisionKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    BYLAWS_AMENDMENT = "bylaws_amendment", _("Bylaws amendment")
    BOARD_SIZE_CHANGE = "board_size_change", _("Board size change")
    DIRECTOR_REMOVAL = "director_removal", _("Director removal")
    RULE_SET_CHANGE = "rule_set_change", _("Rule set change")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("Not valid: no quorum")
    OBJECTED = "objected", _("Not valid: written consent objected to")


class Decision(models.Model):
    """A resolution with its roll call, the rule it needed and the computed outcome.

    The counts, thresholds and rule text are fixed when recorded, with the rule-set
    version they came from, so the register shows what governed each decision.
    """

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=300)
    text = models.TextField()
    kind = models.CharField(max_length=20, choices=DecisionKind.choices, default=DecisionKind.ORDINARY)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    rule_set = models.ForeignKey("core.RuleSet", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(db_index=True)
    needs_supermajority = models.BooleanField(default=False)
    required_rule = models.CharField(max_length=300)
    in_office = models.PositiveSmallIntegerField()
    present = models.PositiveSmallIntegerField()
    quorum_required = models.PositiveSmallIntegerField()
    quorum_present = models.BooleanField()
    yes = models.PositiveSmallIntegerField(default=0)
    no = models.PositiveSmallIntegerField(default=0)
    abstain = models.PositiveSmallIntegerField(default=0)
    recused = models.PositiveSmallIntegerField(default=0)
    absent = models.PositiveSmallIntegerField(default=0)
    required_yes = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    adopts_rule_set = models.ForeignKey(
        "core.RuleSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopting_decisions",
    )
    adopts_policy_version = models.ForeignKey(
        "governance.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approves_minutes = models.ForeignKey(
        Minutes, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [models.Index(fields=["kind", "outcome"], name="decision_kind_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"R-{self.number:04d}"

    @property
    def audit_ref(self) -> str:
        return f"decision:{self.number}"


class VoteChoice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")
    RECUSED = "recused", _("Recused (conflict of interest)")
    ABSENT = "absent", _("Absent")


class Vote(models.Model):
    """One director's vote in a decision's roll call."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    director = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="board_votes"
    )
    choice = models.CharField(max_length=8, choices=VoteChoice.choices)
    conflict_note = models.CharField(_("conflict of interest"), max_length=300, blank=True)

    class Meta:
        ordering = ["decision", "director__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "director"], name="one_vote_per_director"),
            models.CheckConstraint(
                condition=~Q(choice="recused") | ~Q(conflict_note=""), name="recusal_needs_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.director}: {self.choice}"
