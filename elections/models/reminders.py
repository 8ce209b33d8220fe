"""Voting reminders sent to roll rows that have not voted."""

from __future__ import annotations

from django.db import models

from core import clock
from elections.models.elections import Election


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
