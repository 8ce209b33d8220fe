"""Jobs through the outbox.

``enqueue`` writes a row in the caller's transaction. After commit the web process
tries to hand it to Celery at once; the periodic relay picks up whatever that could
not send (broker down, process killed). Tasks receive ids, not objects, and must be
safe to run twice: the relay guarantees at-least-once, not exactly-once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

# The project's Celery app (config/celery.py, loaded by config/__init__.py); core does not
# import config, so it reaches the app through Celery's current-app proxy.
from celery import current_app as app
from django.conf import settings
from django.db import connection, transaction

from core import clock
from core.logs import job_headers, job_metadata
from core.models import OutboxMessage

log = logging.getLogger(__name__)

# Publishing must fail fast when the broker is down; the row simply waits.
_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def enqueue(task_name: str, *, delay: dt.timedelta | None = None, **kwargs: Any) -> OutboxMessage:
    """Record a job to run after the current transaction commits."""
    now = clock.now()
    message = OutboxMessage.objects.create(
        task_name=task_name,
        kwargs=kwargs,
        created_at=now,
        available_at=now + delay if delay else now,
        metadata=job_metadata(),  # the request id, so the job's logs name the request (core.logs)
    )
    if getattr(settings, "OUTBOX_PUBLISH_ON_COMMIT", True) and not delay:
        transaction.on_commit(lambda: _publish_quietly(message.pk))
    return message


def _publish_quietly(message_id: Any) -> None:
    try:
        relay_outbox(only=[message_id])
    except Exception:  # the periodic relay will try again; never fail the request
        log.warning("outbox: could not publish %s now; the relay will retry", message_id)


def relay_outbox(*, only: list[Any] | None = None, limit: int | None = None) -> int:
    """Hand pending, due rows to the broker; return how many were sent.

    Each row is locked while it is sent (``skip_locked`` lets several relays run), and
    marked sent only after the broker accepted it. On a broker error the relay stops:
    the remaining rows stay pending for the next run.
    """
    sent = 0
    batch = limit or settings.OUTBOX_RELAY_BATCH
    pending = OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=clock.now())
    if only is not None:
        pending = pending.filter(pk__in=only)
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        rows = list(pending.select_for_update(skip_locked=skip_locked).order_by("created_at")[:batch])
        for row in rows:
            try:
                app.send_task(
                    row.task_name,
                    kwargs=row.kwargs,
                    task_id=str(row.pk),
                    retry=True,
                    retry_policy=_RETRY_POLICY,
                    headers=job_headers(row.metadata),
                )
            except Exception as exc:
                OutboxMessage.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error=repr(exc)[:2000]
                )
                log.warning("outbox: broker refused %s: %r", row.task_name, exc)
                break
            OutboxMessage.objects.filter(pk=row.pk).update(
                sent_at=clock.now(), attempts=row.attempts + 1, last_error=""
            )
            sent += 1
    return sent


def run_pending_inline() -> int:
    """Run due jobs in this process, without a broker (tests and management commands).

    Used where a real worker is not the point of the test: the job code is the same.
    """
    app.loader.import_default_modules()  # registers every app's tasks (autodiscovery)
    ran = 0
    while True:
        rows = list(
            OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=clock.now()).order_by(
                "created_at"
            )[:100]
        )
        if not rows:
            return ran
        for row in rows:
            OutboxMessage.objects.filter(pk=row.pk).update(sent_at=clock.now(), attempts=row.attempts + 1)
            app.tasks[row.task_name].apply(
                kwargs=row.kwargs, task_id=str(row.pk), throw=True, headers=job_headers(row.metadata)
            )
            ran += 1
