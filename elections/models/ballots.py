"""Sealed and opened ballots, the election key, receipt codes, and receipts waiting to be emailed.

Secrecy is a property of the schema: ``SealedBallot``, ``Ballot`` and ``Tracker`` have no
column that names or orders a voter (no foreign key to a roll row or a user, no
timestamp), and ``RollEntry`` only says *that* a ballot was cast, until the close.

During voting a ballot exists only sealed (``SealedBallot``: choices and weight encrypted
to the election's public key, see ``elections.sealing``); the private key is stored only
wrapped by the key-encryption key of the environment (``BallotKey``). The close opens the
sealed ballots once, writes them as ``Ballot`` rows afresh in random order, deletes the
sealed rows and the key, and rewrites trackers and roll rows in random order without the
voted marks (``elections.services.ballots``). None of these tables is in the admin.
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


class SealedBallot(models.Model):
    """A ballot as cast: choices and weight sealed to the election's key, padded to one length.

    Written by the cast transaction together with the roll row's mark: whatever links the
    two (a transaction id, a row id, a backup) links a voter to ciphertext only.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return str(self.pk)


class BallotKey(models.Model):
    """The election's X25519 key pair while voting is open; the private half only wrapped.

    Created when voting opens, deleted by the close (or a cancellation) right after it
    opened the ballots: afterwards nothing can open a sealed ballot, wherever a copy is.
    Kept in its own small table so that vacuuming it is cheap.
    """

    election = models.OneToOneField(Election, on_delete=models.CASCADE, primary_key=True, related_name="+")
    public_key = models.BinaryField()
    wrapped_private_key = models.BinaryField()
    kek_id = models.CharField(max_length=16)
    pad_to = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"ballot key of election {self.pk}"


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
    """A receipt email waiting for the next batch, with no time on it.

    The cast path writes this instead of an ``OutgoingEmail`` (which carries a time) or an
    outbox row; the schedule sends pending receipts in batches at random times and deletes
    them, and the email row it keeps has neither the body nor the tracker.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tracker_code = models.CharField(max_length=19)

    def __str__(self) -> str:
        return str(self.pk)
