"""The election numbers of each rule-set version (the bylaws' election articles)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BallotPublication(models.TextChoices):
    """Whether the anonymised ballots are published (issue: weights can identify voters)."""

    ALWAYS = "always", _("Always (the foundation accepts that sponsors' ballots are public)")
    CLASS_MINIMUM = (
        "class_minimum",
        _("Only when every weight class that voted has at least the minimum number of voters"),
    )
    NEVER = "never", _("Never: accredited observers recount inside Charter")


class CountFallback(models.TextChoices):
    """A simpler method used when the count does not finish within its time budget."""

    NONE = "", _("None: the count stays in “counting” and the committee is told")
    SCOTTISH = "scottish", _("Scottish STV")
    WIGM = "wigm", _("Weighted inclusive Gregory STV")
    IRV = "irv", _("Instant runoff (one seat)")
    APPROVAL = "approval", _("Approval (marks as approvals)")
    PLURALITY = "plurality", _("Plurality (first preferences)")


def reference_voting_reminder_offsets() -> list[int]:
    """Reminders to members who have not voted: 7 days and 1 day before voting closes."""
    return [7, 1]


class ElectionRules(models.Model):
    """The election numbers of one rule-set version (the bylaws' election articles).

    Kept beside ``core.RuleSet`` (one row per version) so the elections app owns
    its fields; a version without a row gets the reference values the first time it is read.
    """

    rule_set = models.OneToOneField("core.RuleSet", on_delete=models.PROTECT, related_name="election_rules")
    nominations_open_days = models.PositiveSmallIntegerField(
        _("nominations open (days before voting)"), default=45
    )
    nominations_close_days = models.PositiveSmallIntegerField(
        _("nominations close (days before voting)"), default=10
    )
    min_voting_days = models.PositiveSmallIntegerField(_("minimum voting period (days)"), default=14)
    quorum_members_percent = models.PositiveSmallIntegerField(
        _("quorum: share of roll members who vote (%)"), default=10
    )
    quorum_weight_percent = models.PositiveSmallIntegerField(
        _("quorum: share of roll weight that votes (%)"), default=10
    )
    extension_days = models.PositiveSmallIntegerField(_("extension when quorum is missed (days)"), default=7)
    max_extensions = models.PositiveSmallIntegerField(_("maximum number of extensions"), default=2)
    nominee_standing_days = models.PositiveSmallIntegerField(_("nominees: days in good standing"), default=60)
    provisional_roll_days = models.PositiveSmallIntegerField(
        _("provisional roll published (days before the record date)"), default=14
    )
    voting_reminder_offsets_days = models.JSONField(
        _("voting reminders (days before voting closes)"), default=reference_voting_reminder_offsets
    )
    turnout_min_class_size = models.PositiveSmallIntegerField(
        _("minimum voters of a class for its turnout (and ballots) to be published"), default=5
    )
    ballot_publication = models.CharField(
        _("publication of the anonymised ballots"),
        max_length=16,
        choices=BallotPublication.choices,
        default=BallotPublication.CLASS_MINIMUM,
    )
    count_time_budget_seconds = models.PositiveIntegerField(
        _("time budget of the count (seconds)"), default=600
    )
    count_fallback_method = models.CharField(
        _("fallback method when the count exceeds its budget"),
        max_length=12,
        choices=CountFallback.choices,
        default=CountFallback.NONE,
        blank=True,
    )
    roll_retention_days = models.PositiveSmallIntegerField(
        _("frozen roll kept (days after certification)"), default=90
    )

    class Meta:
        verbose_name = _("election rules")
        verbose_name_plural = _("election rules")

    def __str__(self) -> str:
        return f"{self.rule_set} — {_('elections')}"

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted((int(d) for d in self.voting_reminder_offsets_days), reverse=True)
