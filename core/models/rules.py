"""The rule set: the bylaws as data, one immutable version at a time."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


def reference_reminder_offsets() -> list[int]:
    """The reference foundation's renewal reminders: 30, 7 and 1 days before expiry."""
    return [30, 7, 1]


def reference_cohorts() -> list[str]:
    """The reference foundation's four staggered cohorts."""
    return ["A", "B", "C", "D"]


def reference_supermajority_types() -> list[str]:
    """Bylaw amendments, board-size changes, removals and rule changes need two thirds."""
    return ["bylaws_amendment", "board_size_change", "director_removal", "rule_set_change"]


def reference_antitrust_statement() -> str:
    return (
        "The foundation complies with all applicable antitrust and competition laws. "
        "Participants must not discuss prices, costs, margins, bids, market allocation, "
        "customers or suppliers of their companies, or any other competitively sensitive "
        "information. Raise concerns with the chair or counsel at once."
    )


MAJORITY_BASES = [
    ("cast", _("votes cast (yes and no)")),
    ("present", _("directors present")),
    ("in_office", _("directors in office")),
]


class RuleSet(models.Model):
    """One version of the foundation's rules. Every bylaws number lives here.

    A version takes effect at ``effective_from`` and stays in force until the next
    version's. Anything that depends on the rules (an election, an invoice, a
    decision) stores the version it was created under. Versions are never edited
    once adopted: a change is a new version, drafted by the board and adopted by a
    decision (``governance/services/rules.py``). A draft has no ``effective_from`` and
    is never in force.
    """

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    effective_from = models.DateTimeField(
        _("in force from"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Empty while the version is a draft; set when a decision adopts it."),
    )
    adopted_by = models.CharField(
        _("adopted by"), max_length=300, blank=True, help_text=_("The decision that adopted it.")
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)

    # --- Membership (issue: membership) ----------------------------------------------
    membership_term_days = models.PositiveIntegerField(_("membership term (days)"), default=365)
    reminder_offsets_days = models.JSONField(
        _("renewal reminders (days before expiry)"), default=reference_reminder_offsets, blank=True
    )
    grace_days = models.PositiveIntegerField(_("grace period (days)"), default=30)
    grace_may_vote = models.BooleanField(_("members in grace may vote"), default=False)
    min_membership_days_before_record_date = models.PositiveIntegerField(
        _("minimum days of membership before a record date"), default=0
    )
    not_reached_after_days = models.PositiveIntegerField(
        _("not reached: days without action after the last reminder"), default=7
    )
    suspension_notice_days = models.PositiveSmallIntegerField(
        _("suspension: days from the notice until it takes effect"), default=30
    )

    # --- Board (issue: governance) ---------------------------------------------------
    board_min_size = models.PositiveSmallIntegerField(_("board: minimum size"), default=1)
    board_normal_min_size = models.PositiveSmallIntegerField(
        _("board: normal minimum size (a warning when below)"), default=7
    )
    board_max_size = models.PositiveSmallIntegerField(_("board: maximum size"), default=13)
    board_max_per_group = models.PositiveSmallIntegerField(
        _("board: maximum directors per organisation or corporate group"), default=1
    )
    board_term_years = models.PositiveSmallIntegerField(_("board: term (years)"), default=4)
    board_cohorts = models.JSONField(_("board: cohorts"), default=reference_cohorts)
    board_consecutive_terms = models.PositiveSmallIntegerField(
        _("board: consecutive terms before a gap"), default=2
    )
    board_term_gap_years = models.PositiveSmallIntegerField(
        _("board: gap after the limit (years)"), default=1
    )
    board_partial_term_counts_above_percent = models.PositiveSmallIntegerField(
        _("board: a part of a term counts as a full term when more than this share was served (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("0: any part counts as a full term; 100: only full terms count."),
    )
    board_vacancy_window_months = models.PositiveSmallIntegerField(
        _("board: appointment window before an election (months)"), default=3
    )
    board_quorum_numerator = models.PositiveSmallIntegerField(_("board quorum: numerator"), default=1)
    board_quorum_denominator = models.PositiveSmallIntegerField(_("board quorum: denominator"), default=2)
    board_quorum_strict = models.BooleanField(
        _("board quorum: strictly more than the fraction of directors in office"), default=True
    )
    recused_count_for_quorum = models.BooleanField(_("recused directors count toward quorum"), default=True)
    majority_numerator = models.PositiveSmallIntegerField(_("ordinary majority: numerator"), default=1)
    majority_denominator = models.PositiveSmallIntegerField(_("ordinary majority: denominator"), default=2)
    majority_strict = models.BooleanField(_("ordinary majority: strictly more than"), default=True)
    majority_base = models.CharField(
        _("ordinary majority: counted of"), max_length=12, choices=MAJORITY_BASES, default="cast"
    )
    supermajority_numerator = models.PositiveSmallIntegerField(_("supermajority: numerator"), default=2)
    supermajority_denominator = models.PositiveSmallIntegerField(_("supermajority: denominator"), default=3)
    supermajority_strict = models.BooleanField(_("supermajority: strictly more than"), default=False)
    supermajority_base = models.CharField(
        _("supermajority: counted of"), max_length=12, choices=MAJORITY_BASES, default="in_office"
    )
    supermajority_decision_types = models.JSONField(
        _("decision types that need the supermajority"), default=reference_supermajority_types
    )
    written_consent_objection_limit = models.PositiveSmallIntegerField(
        _("written consent fails when this many directors object"), default=2
    )
    conflict_declaration_days = models.PositiveSmallIntegerField(
        _("conflict-of-interest declaration valid for (days)"), default=365
    )
    antitrust_statement = models.TextField(
        _("antitrust statement (opens every agenda)"), default=reference_antitrust_statement
    )

    # --- Dues (issue: sponsor dues) -------------------------------------------------------
    invoice_issue_days_before_expiry = models.PositiveIntegerField(
        _("dues invoices issued (days before expiry)"), default=30
    )
    lobbying_share_percent = models.PositiveSmallIntegerField(
        _("share of dues used for lobbying (%)"), default=0, validators=[MaxValueValidator(100)]
    )

    # --- Members' data: how long personal data is kept (issue: running it for years) -------
    # The scheduled retention job (core.services.retention) reads these from the version in
    # force; the privacy page shows them. At least a day: 0 would delete as soon as written.
    retention_rejected_application_days = models.PositiveIntegerField(
        _("retention: rejected or withdrawn applications (days after the decision)"),
        default=365,
        validators=[MinValueValidator(1)],
    )
    retention_email_log_days = models.PositiveIntegerField(
        _("retention: log of emails sent (days)"), default=90, validators=[MinValueValidator(1)]
    )
    retention_expired_invitation_days = models.PositiveIntegerField(
        _("retention: expired or revoked invitations (days after expiry)"),
        default=30,
        validators=[MinValueValidator(1)],
    )
    retention_unused_token_days = models.PositiveIntegerField(
        _("retention: API tokens unused for (days)"), default=365, validators=[MinValueValidator(1)]
    )
    retention_invoice_years = models.PositiveSmallIntegerField(
        _("retention: invoices kept at least (years after issue, as tax law requires)"),
        default=7,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        # The model moved from governance to core; its table kept its name.
        db_table = "governance_ruleset"
        ordering = ["-version"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    @property
    def is_draft(self) -> bool:
        """A version the board is still editing: never in force, never referenced."""
        return self.effective_from is None

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted((int(d) for d in self.reminder_offsets_days), reverse=True)

    @property
    def cohorts(self) -> list[str]:
        return [str(c) for c in self.board_cohorts]
