"""The voter roll: committee corrections before the freeze, and the frozen rows."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from elections.models.elections import Election


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
    ``has_voted`` is the only trace of voting, with no time; the close rewrites the rows in
    random order with ``has_voted`` null (not kept): turnout lives on as totals by class in
    ``Election.turnout``. Rows are deleted ``roll_retention_days`` after certification.

    ``listed`` says whether the member was visible in the public directory when the roll
    was frozen; the published line of a member who was not shows ``sha256(number + salt)``
    instead of the number. ``salt`` is shown only to that member and the committee.
    ``listed`` is null on rolls frozen before published lines were hashed (fingerprint
    version 1), where the directory decides at the time of reading. A line may be ``struck``
    after the freeze (``elections.services.strikes``).
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
    has_voted = models.BooleanField(default=False, null=True)
    salt = models.CharField(max_length=32, blank=True)
    listed = models.BooleanField(null=True)
    # Struck after the freeze (the member was suspended before voting): the line cannot be
    # cast and leaves the quorum's figures. A line that has voted is never struck.
    struck = models.BooleanField(default=False)
    struck_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "member_number"], name="one_roll_row_per_member"),
            models.CheckConstraint(
                condition=Q(struck=False) | Q(has_voted=False), name="struck_roll_line_has_not_voted"
            ),
        ]
        indexes = [models.Index(fields=["election", "voter"], name="roll_election_voter_idx")]
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")

    def __str__(self) -> str:
        return f"{self.member_number} ×{self.weight}"
