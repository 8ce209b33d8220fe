"""Governance jobs. They take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from governance.services.consents import written_consent_tally, written_consents_tally_due


@shared_task(name="governance.tally_written_consents", ignore_result=True)
def tally_written_consents() -> list[int]:
    """Every minute: tally the written consents whose deadline has passed."""
    return written_consents_tally_due()


@shared_task(name="governance.tally_written_consent", ignore_result=True)
def tally_written_consent(*, consent_id: int) -> int | None:
    """Queued when the last director votes: tally at once instead of waiting for the deadline."""
    return written_consent_tally(consent_id=consent_id)
