"""The election: the seats it fills, its method, windows, state and published figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


class Method(models.TextChoices):
    MEEK = "meek", _("Ranked: Meek STV")
    SCOTTISH = "scottish", _("Ranked: Scottish STV")
    WIGM = "wigm", _("Ranked: weighted inclusive Gregory STV")
    SCHULZE = "schulze", _("Ranked: Schulze (Condorcet)")
    IRV = "irv", _("Ranked: instant runoff")
    APPROVAL = "approval", _("Approval")
    PLURALITY = "plurality", _("Plurality")


RANKED_METHODS = frozenset({Method.MEEK, Method.SCOTTISH, Method.WIGM, Method.SCHULZE, Method.IRV})


class ElectionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOMINATIONS_OPEN = "nominations_open", _("Nominations open")
    NOMINATIONS_CLOSED = "nominations_closed", _("Nominations closed")
    VOTING = "voting", _("Voting")
    EXTENDED = "extended", _("Voting extended (quorum not reached)")
    COUNTING = "counting", _("Counting")
    COUNTED = "counted", _("Counted")
    CERTIFIED = "certified", _("Certified")
    FAILED = "failed", _("Failed (no quorum)")
    CANCELLED = "cancelled", _("Cancelled")


VOTING_STATES = (ElectionState.VOTING, ElectionState.EXTENDED)
FINISHED_STATES = (ElectionState.CERTIFIED, ElectionState.FAILED, ElectionState.CANCELLED)


class Election(models.Model):
    """One election filling named board seats, with its windows, state and published figures."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    rule_set = models.ForeignKey("core.RuleSet", on_delete=models.PROTECT, related_name="+")
    cohort = models.ForeignKey(
        "governance.Cohort", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seats = models.ManyToManyField("governance.Seat", related_name="+", verbose_name=_("seats"))
    method = models.CharField(_("counting method"), max_length=12, choices=Method.choices)
    approval_max_marks = models.PositiveSmallIntegerField(
        _("approval: most marks per ballot"), null=True, blank=True
    )
    state = models.CharField(max_length=20, choices=ElectionState.choices, default=ElectionState.DRAFT)

    record_date = models.DateTimeField(_("record date"))
    provisional_roll_at = models.DateTimeField(_("provisional roll published"))
    nominations_open_at = models.DateTimeField(_("nominations open"))
    nominations_close_at = models.DateTimeField(_("nominations close"))
    voting_opens_at = models.DateTimeField(_("voting opens"))
    voting_closes_at = models.DateTimeField(_("voting closes"))
    original_voting_closes_at = models.DateTimeField(_("voting was to close"))
    extensions = models.PositiveSmallIntegerField(default=0)

    provisional_notified_at = models.DateTimeField(null=True, blank=True)
    roll_frozen_at = models.DateTimeField(null=True, blank=True)
    roll_fingerprint = models.CharField(max_length=64, blank=True)
    # 1: over "<member number> <weight>" lines (rolls frozen before hidden members' lines were
    # hashed); 2: over the published lines (see elections.services.roll). Null until frozen.
    roll_fingerprint_version = models.PositiveSmallIntegerField(null=True, blank=True)
    roll_rows = models.PositiveIntegerField(default=0)
    roll_weight = models.PositiveBigIntegerField(default=0)
    roll_by_class = models.JSONField(default=dict, blank=True)
    tie_seed = models.CharField(max_length=64, blank=True)
    # The roll's lines were deleted after the rule set's retention period; totals and
    # fingerprint stay.
    roll_purged_at = models.DateTimeField(null=True, blank=True)

    closed_at = models.DateTimeField(null=True, blank=True)
    turnout = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The audit chain's head (seq, hash) once certified, shown with the results and published
    # with the heads; null for elections certified before it was kept.
    certified_head_seq = models.PositiveBigIntegerField(null=True, blank=True)
    certified_head_hash = models.CharField(max_length=64, blank=True)
    seats_filled_at = models.DateTimeField(null=True, blank=True)
    public_report = models.TextField(_("public report"), blank=True)
    # Why the count has not finished (shown to the committee while the state is "counting").
    count_message = models.TextField(blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-voting_opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nominations_open_at__lt=models.F("nominations_close_at"))
                & Q(nominations_close_at__lte=models.F("voting_opens_at"))
                & Q(voting_opens_at__lt=models.F("voting_closes_at")),
                name="election_windows_in_order",
            ),
        ]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_ref(self) -> str:
        return f"election:{self.slug}"

    @property
    def is_ranked(self) -> bool:
        return self.method in RANKED_METHODS

    @property
    def is_voting(self) -> bool:
        return self.state in VOTING_STATES

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def results_public(self) -> bool:
        return self.state in (ElectionState.COUNTED, ElectionState.CERTIFIED)
