"""Scheduled membership work. Every task is safe to run twice (and every 15 minutes)."""

from __future__ import annotations

from celery import shared_task

from core import clock
from members.services.bounces import bounces_fetch_mailbox
from members.services.reminders import reminders_send_due
from members.services.suspensions import suspensions_apply_due
from members.services.transitions import membership_apply_schedule


@shared_task(name="members.run_membership_schedule", ignore_result=True)
def run_membership_schedule() -> dict[str, int]:
    """Expiry to grace, grace to lapsed, suspensions whose notice has run, then the renewal
    reminders now due."""
    at = clock.now()
    counts = membership_apply_schedule(at=at)
    counts["suspended"] = suspensions_apply_due(at=at)
    counts["reminders"] = reminders_send_due(at=at)
    return counts


@shared_task(name="members.fetch_bounces", ignore_result=True, autoretry_for=(OSError,), max_retries=3)
def fetch_bounces() -> int:
    """Read the bounce mailbox (``BOUNCE_MAILBOX_URL``) and mark bounced emails."""
    return bounces_fetch_mailbox()
