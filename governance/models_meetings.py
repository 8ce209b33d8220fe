"""Meetings, minutes, decisions with their roll calls, policies, and the public change log.

Imported by ``governance.models``; the models live here to keep each module short.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Regular meeting")
    SPECIAL = "special", _("Special meeting")
    WRITTEN_CONSENT = "written_consent", _("Written consent")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """A board meeting, or a written consent (a decision taken without meeting)."""

    kind = models.CharField(max_length=16, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    title = models.CharField(max_length=200)
    scheduled_at = models.DateTimeField(db_index=True)
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rule_set = models.ForeignKey("core.RuleSet", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-scheduled_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.title} ({self.scheduled_at:%Y-%m-%d})"

    @property
    def audit_ref(self) -> str:
        return f"meeting:{self.pk}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    GUEST = "guest", _("Invited expert (non-voting)")


class Attendance(models.Model):
    """Who attended; ``is_director`` is fixed when recorded, so quorum can be recomputed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=AttendanceStatus.choices)
    is_director = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "-is_director", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved, awaiting publication")
    PUBLISHED = "published", _("Published")


class Minutes(models.Model):
    """The minutes of one meeting. ``number`` is sequential; published text is versioned."""

    number = models.PositiveIntegerField(unique=True)
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    status = models.CharField(max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    draft_md = models.TextField(_("draft (Markdown)"), blank=True)
    approved_by = models.ForeignKey(
        "governance.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    current_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=clock.now)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return _("Minutes no. %(number)s") % {"number": self.number}

    @property
    def audit_ref(self) -> str:
        return f"minutes:{self.number}"


class MinutesVersion(models.Model):
    """One published text of the minutes; never edited. A correction adds a version."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    body_md = models.TextField()
    body_html = models.TextField()
    reason = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    audit_head_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["minutes", "version"]
        constraints = [models.UniqueConstraint(fields=["minutes", "version"], name="minutes_version_unique")]

    def __str__(self) -> str:
        return f"{self.minutes} v{self.version}"


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
