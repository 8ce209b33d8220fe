"""Elections: the rules they run under, the election, its roll, candidates and ballots.

Secrecy is a property of the schema: ``Ballot`` and ``Tracker`` have no column that
names or orders a voter (no foreign key to a roll row or a user, no timestamp), and
``RollEntry`` only says *that* a ballot was cast. At the close the three tables are
rewritten in random order with fresh random ids (``elections.services.voting``), so
ids, physical order and writing transaction carry nothing either.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


def reference_voting_reminder_offsets() -> list[int]:
    """Reminders to members who have not voted: 7 days and 1 day before voting closes."""
    return [7, 1]


class ElectionRules(models.Model):
    """The election numbers of one rule-set version (the bylaws' election articles).

    Kept beside ``governance.RuleSet`` (one row per version) so the elections app owns
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

    class Meta:
        verbose_name = _("election rules")
        verbose_name_plural = _("election rules")

    def __str__(self) -> str:
        return f"{self.rule_set} — {_('elections')}"

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted((int(d) for d in self.voting_reminder_offsets_days), reverse=True)


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
    roll_rows = models.PositiveIntegerField(default=0)
    roll_weight = models.PositiveBigIntegerField(default=0)
    roll_by_class = models.JSONField(default=dict, blank=True)
    tie_seed = models.CharField(max_length=64, blank=True)

    closed_at = models.DateTimeField(null=True, blank=True)
    turnout = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seats_filled_at = models.DateTimeField(null=True, blank=True)
    public_report = models.TextField(_("public report"), blank=True)
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


class RollCorrection(models.Model):
    """A committee correction to the roll before it is frozen (audited, with a reason)."""

    class Action(models.TextChoices):
        INCLUDE = "include", _("Include (the record was wrong)")
        EXCLUDE = "exclude", _("Exclude (the record was wrong)")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll_corrections")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=8, choices=Action.choices)
    weight = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["election", "membership"], name="one_correction_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.membership_id})"


class RollEntry(models.Model):
    """One row of a frozen roll: a member (person or organisation) and its weight.

    ``voter`` is who may cast it (the person, or the organisation's representative on
    record at the record date); ``alternate`` may cast it instead if named before then.
    ``has_voted`` is the only trace of voting, with no time. Rewritten at the close.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="roll")
    member_number = models.CharField(max_length=12)
    subject_type = models.CharField(max_length=12)
    class_code = models.SlugField(max_length=40)
    weight = models.PositiveIntegerField()
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    alternate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    has_voted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "member_number"], name="one_roll_row_per_member"),
        ]
        indexes = [models.Index(fields=["election", "voter"], name="roll_election_voter_idx")]
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")

    def __str__(self) -> str:
        return f"{self.member_number} ×{self.weight}"


class CandidateState(models.TextChoices):
    NOMINATED = "nominated", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Candidate")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Did not accept in time")


class Candidate(models.Model):
    """A person nominated in an election; they stand once they accept."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name on the ballot"), max_length=200)
    state = models.CharField(max_length=10, choices=CandidateState.choices, default=CandidateState.NOMINATED)
    statement = models.TextField(_("statement"), blank=True)
    employer = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employer_name = models.CharField(_("employer as declared"), max_length=200, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_after_voting_opened = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["election", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="one_candidacy_per_person"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_ref(self) -> str:
        return f"candidate:{self.pk}"

    @property
    def group_key(self) -> str:
        """The corporate group for the anti-capture rule ("" when self-employed or none)."""
        if self.employer is not None:
            return self.employer.group_key
        return self.employer_name.strip().casefold()

    @property
    def stands(self) -> bool:
        return self.state == CandidateState.ACCEPTED


class Nomination(models.Model):
    """Who nominated whom: public. One per nominating member per election (a constraint)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="nominations")
    nominator = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="+")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="nominations")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "nominator"], name="one_nomination_per_nominator"),
        ]

    def __str__(self) -> str:
        return f"{self.nominator_id} → {self.candidate_id}"


class Ballot(models.Model):
    """An anonymous ballot: choices and weight, nothing else (no voter, no time).

    ``choices`` holds candidate ids: for ranked methods in order of preference, for
    approval and plurality the marked candidates. ``[]`` is a blank ballot.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    choices = models.JSONField(default=list)
    weight = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return str(self.pk)


def new_tracker_code() -> str:
    raw = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class Tracker(models.Model):
    """A receipt code: proves a ballot was recorded, linked to neither voter nor ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="trackers")
    code = models.CharField(max_length=19, default=new_tracker_code)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "code"], name="tracker_code_unique")]

    def __str__(self) -> str:
        return self.code


class PendingReceipt(models.Model):
    """A receipt email waiting to be sent by the next job, with no time on it.

    The cast path writes this instead of an ``OutgoingEmail`` (which carries a time);
    the job sends pending receipts in batches and deletes them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tracker_code = models.CharField(max_length=19)

    def __str__(self) -> str:
        return str(self.pk)


class VotingReminder(models.Model):
    """One voting reminder to one roll row at one offset (unique: jobs never send twice)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="reminders")
    member_number = models.CharField(max_length=12)
    offset_days = models.IntegerField()
    email = models.ForeignKey("core.OutgoingEmail", on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["election", "member_number", "offset_days"], name="one_voting_reminder_per_offset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_number} {self.offset_days}"


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
