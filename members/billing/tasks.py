"""Billing jobs. They take ids, are safe to run twice and retry only when Stripe is unreachable."""

from __future__ import annotations

import logging

from celery import shared_task

from members.billing.services.invoices import invoices_issue_due, stripe_invoice_void_superseded
from members.billing.services.webhooks import stripe_event_process, stripe_events_requeue_stale
from members.billing.stripe_client import StripeUnreachable

log = logging.getLogger(__name__)


@shared_task(
    name="billing.process_stripe_event",
    ignore_result=True,
    autoretry_for=(StripeUnreachable,),
    retry_backoff=True,
    max_retries=8,
)
def process_stripe_event(*, event_id: str) -> str:
    return stripe_event_process(event_id=event_id)


@shared_task(name="billing.issue_due_invoices", ignore_result=True)
def issue_due_invoices() -> int:
    return invoices_issue_due()


@shared_task(
    name="billing.void_stripe_invoice",
    ignore_result=True,
    autoretry_for=(StripeUnreachable,),
    retry_backoff=True,
    max_retries=8,
)
def void_stripe_invoice(*, invoice_id: int) -> None:
    stripe_invoice_void_superseded(invoice_id=invoice_id)


@shared_task(name="billing.requeue_stale_events", ignore_result=True)
def requeue_stale_events() -> int:
    return stripe_events_requeue_stale()
