"""Election jobs. They take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from elections.services.ballots import election_after_close, receipts_send
from elections.services.lifecycle import election_run_schedule
from elections.services.reminders import extension_notify
from elections.services.results import election_count
from elections.services.roll import roll_purge_expired


@shared_task(name="elections.run_schedule")
def run_schedule() -> list[str]:
    """Every minute: open and close nominations and voting, freeze rolls, extend or fail, remind."""
    return election_run_schedule()


@shared_task(name="elections.send_receipts")
def send_receipts(*, election_id: int) -> int:
    """A batch of receipts, queued at a random minute by the schedule (never one per vote)."""
    return receipts_send(election_id=election_id)


@shared_task(name="elections.after_close")
def after_close(*, election_id: int) -> str:
    """Right after a close or cancellation commits: the last receipts, then VACUUM (PostgreSQL)."""
    return election_after_close(election_id=election_id)


@shared_task(name="elections.purge_rolls")
def purge_rolls() -> list[str]:
    """Daily: delete the lines of rolls kept for the rule set's retention period."""
    return roll_purge_expired()


@shared_task(name="elections.notify_extension")
def notify_extension(*, election_id: int, extension: int) -> int:
    return extension_notify(election_id=election_id, extension=extension)


@shared_task(name="elections.count")
def count(*, election_id: int) -> str:
    """Count a closed election (queued by the close); a second run finds it counted and stops."""
    return election_count(election_id=election_id)
