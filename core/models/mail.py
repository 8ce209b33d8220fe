"""Outgoing email, recorded so the committee can see who was not reached."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class OutgoingEmail(models.Model):
    """Every email we send, so the committee can see who was not reached.

    ``status`` records what the mail server said (accepted, refused) and, later, whether
    a bounce came back. ``purpose`` and ``subject_ref`` say what the mail was about
    (e.g. ``membership.reminder`` and the membership's public number).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Accepted by the mail server")
        REFUSED = "refused", _("Refused by the mail server")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # The template it was rendered from; for a message sent unstored (a ballot receipt) the
    # row keeps only this and the recipient, never the subject or body.
    template = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=80, db_index=True)
    subject_ref = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    # Files attached at delivery, by reference: ``[[kind, ref], ...]``, each resolved by the
    # source an app registered for ``kind`` (core.mail.register_attachment_source), so a
    # stored document (an invoice PDF) is not copied into the mail log.
    attachments = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["purpose", "subject_ref"], name="email_purpose_ref_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.status})"

    @property
    def reached(self) -> bool:
        return self.status == self.Status.SENT
