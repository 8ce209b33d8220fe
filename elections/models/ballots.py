"""Anonymous ballots, their receipt codes, and receipts waiting to be emailed.

Secrecy is a property of the schema: ``Ballot`` and ``Tracker`` have no column that
names or orders a voter (no foreign key to a roll row or a user, no timestamp), and
``RollEntry`` only says *that* a ballot was cast. At the close the three tables are
rewritten in random order with fresh random ids (``elections.services.ballots``), so
ids, physical order and writing transaction carry nothing either.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from elections.models.elections import Election


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
