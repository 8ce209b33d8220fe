"""Heartbeats: when a periodic part of the system was last seen working (for /readyz)."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """One row per beating part (``beat``: the Celery beat schedule, run by a worker).

    Written by a periodic task, read by ``/readyz``: its age says whether beat is sending
    and a worker is running what it sends. Holds a name and a time, nothing else.
    """

    name = models.CharField(max_length=40, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
