"""The job outbox: jobs written in the caller's transaction, relayed after commit."""

from __future__ import annotations

import uuid

from django.db import models

from core import clock


class OutboxMessage(models.Model):
    """A job written in the caller's transaction; the relay hands it to Celery.

    If the transaction rolls back, the job never existed. If the broker is down, the
    row waits and the relay retries, so jobs are delayed, never lost.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now)
    available_at = models.DateTimeField(default=clock.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Where the job came from, for its logs: {"request_id": ...} (core.logs). Never kwargs.
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "available_at"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.task_name} ({'sent' if self.sent_at else 'pending'})"
