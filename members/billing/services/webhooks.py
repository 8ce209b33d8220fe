"""Stripe webhooks: verify and store each event once; process it later, in a job.

Receiving is cheap and idempotent (the event id is unique); processing reads the
stored payload, may ask Stripe for what the payload does not carry (which payment
paid an invoice), and then writes through the payment services. Events may come in
any order: both events about one payment resolve to the same ``Payment``; a refund
for a payment not seen yet waits (``deferred``) until the payment is recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.errors import ValidationFailed
from core.outbox import enqueue
from members.billing.models import (
    BillingAccount,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    StripeEvent,
)
from members.billing.services.payments import (
    Received,
    invoice_close,
    invoice_payment_failed,
    payment_record,
    payment_refund_record,
)
from members.billing.stripe_client import stripe_call

log = logging.getLogger(__name__)
E = StripeEvent.Outcome


def check_signature(*, payload: bytes, header: str) -> None:
    """Stripe's HMAC check with the endpoint secret; the age is measured with our clock.

    ``stripe.WebhookSignature`` measures tolerance with ``time.time()``; we verify the
    signature alone with it and compare the signed timestamp with ``core.clock``, so
    the check is the same in tests that move time.
    """
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, header, settings.STRIPE_WEBHOOK_SECRET, tolerance=None)
        timestamp = int(next(p.split("=", 1)[1] for p in header.split(",") if p.startswith("t=")))
    except (stripe.SignatureVerificationError, StopIteration, ValueError) as exc:  # ValueError: bad UTF-8 too
        raise ValidationFailed(_("The webhook signature is not valid."), code="bad_signature") from exc
    if abs(clock.now().timestamp() - timestamp) > settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS:
        raise ValidationFailed(_("The webhook signature is too old."), code="stale_signature")


def webhook_receive(*, payload: bytes, header: str) -> tuple[StripeEvent, bool]:
    """Store a verified event once and queue its processing; a replay changes nothing."""
    check_signature(payload=payload, header=header)
    try:
        data = json.loads(payload)
        event_id, event_type = str(data["id"]), str(data["type"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed(_("The webhook payload is not a Stripe event."), code="bad_payload") from exc
    created_ts = data.get("created")
    with transaction.atomic():
        event, created = StripeEvent.objects.get_or_create(
            event_id=event_id,
            defaults={
                "type": event_type,
                "api_version": str(data.get("api_version") or ""),
                "livemode": bool(data.get("livemode")),
                "stripe_created": dt.datetime.fromtimestamp(created_ts, tz=dt.UTC) if created_ts else None,
                "payload": data,
                "received_at": clock.now(),
            },
        )
        if created:
            enqueue("billing.process_stripe_event", event_id=event_id)
    return event, created


# --- Processing ---------------------------------------------------------------------------


def _invoice_from_metadata(obj: dict[str, Any]) -> Invoice | None:
    metadata = obj.get("metadata") or {}
    invoice_id = metadata.get("charter_invoice_id")
    if invoice_id and str(invoice_id).isdigit():
        invoice = Invoice.objects.filter(pk=int(invoice_id)).select_related("organisation").first()
        if invoice is not None:
            return invoice
    number = metadata.get("charter_invoice_number") or obj.get("client_reference_id")
    if number:
        return Invoice.objects.filter(number=number).select_related("organisation").first()
    return None


def _organisation_for_customer(customer_id: str | None) -> Any:
    account = (
        BillingAccount.objects.filter(stripe_customer_id=customer_id).select_related("organisation").first()
    )
    return account.organisation if account else None


def _on_checkout_completed(event: StripeEvent, obj: dict[str, Any]) -> tuple[str, str]:
    if obj.get("payment_status") != "paid":
        return E.IGNORED, "not paid yet (asynchronous payment method)"
    invoice = _invoice_from_metadata(obj)
    received = Received(
        method=PaymentMethod.CHECKOUT,
        amount_minor=int(obj.get("amount_total") or 0),
        currency=str(obj.get("currency") or ""),
        stripe_payment_intent_id=str(obj.get("payment_intent") or ""),
        stripe_invoice_id=str(obj.get("invoice") or ""),
        stripe_checkout_session_id=str(obj["id"]),
        stripe_event_id=event.event_id,
    )
    payment, created = payment_record(
        invoice=invoice, received=received, organisation=_organisation_for_customer(obj.get("customer"))
    )
    return E.PROCESSED, f"payment {payment.pk} {'recorded' if created else 'already recorded'}"


def _payment_intent_of_invoice(stripe_invoice_id: str) -> str:
    """Which payment paid a Stripe invoice: ``invoice_payments`` (API 2025-03-31 and later)."""
    listing = stripe_call(
        lambda client: client.v1.invoice_payments.list(params={"invoice": stripe_invoice_id, "limit": 10})
    )
    for item in listing.data:
        payment = item.get("payment") or {}
        if item.get("status") == "paid" and payment.get("payment_intent"):
            return str(payment["payment_intent"])
    return ""


def _on_invoice_paid(event: StripeEvent, obj: dict[str, Any]) -> tuple[str, str]:
    stripe_invoice_id = str(obj["id"])
    if Payment.objects.filter(stripe_invoice_id=stripe_invoice_id).exists():
        return E.PROCESSED, "already recorded"
    invoice = (
        _invoice_from_metadata(obj) or Invoice.objects.filter(stripe_invoice_id=stripe_invoice_id).first()
    )
    payment_intent = _payment_intent_of_invoice(stripe_invoice_id)  # Stripe: outside any transaction
    method = (
        PaymentMethod.STRIPE_INVOICE
        if invoice is not None and invoice.stripe_invoice_id == stripe_invoice_id
        else PaymentMethod.CHECKOUT
    )
    received = Received(
        method=method,
        amount_minor=int(obj.get("amount_paid") or 0),
        currency=str(obj.get("currency") or ""),
        stripe_payment_intent_id=payment_intent,
        stripe_invoice_id=stripe_invoice_id,
        receipt_url=str(obj.get("hosted_invoice_url") or ""),
        stripe_event_id=event.event_id,
    )
    payment, created = payment_record(
        invoice=invoice, received=received, organisation=_organisation_for_customer(obj.get("customer"))
    )
    return E.PROCESSED, f"payment {payment.pk} {'recorded' if created else 'already recorded'}"


def _on_invoice_failed(event: StripeEvent, obj: dict[str, Any]) -> tuple[str, str]:
    invoice = _invoice_from_metadata(obj) or Invoice.objects.filter(stripe_invoice_id=obj.get("id")).first()
    if invoice is None:
        return E.IGNORED, "unknown invoice"
    invoice_payment_failed(
        invoice=invoice, attempt=int(obj.get("attempt_count") or 1), event_id=event.event_id
    )
    return E.PROCESSED, "payment failure noted"


def _closer(status: str) -> Callable[[StripeEvent, dict[str, Any]], tuple[str, str]]:
    def handle(event: StripeEvent, obj: dict[str, Any]) -> tuple[str, str]:
        invoice = Invoice.objects.filter(stripe_invoice_id=obj.get("id")).first()
        if invoice is None:
            # A Stripe invoice Checkout created for a payment: closing it is not ours to mirror.
            return E.IGNORED, "not an invoice we sent through Stripe"
        invoice_close(invoice=invoice, status=status, event_id=event.event_id)
        return E.PROCESSED, status

    return handle


def _on_charge_refunded(event: StripeEvent, obj: dict[str, Any]) -> tuple[str, str]:
    payment_intent = str(obj.get("payment_intent") or "")
    amount = int(obj.get("amount") or 0)
    refunded = int(obj.get("amount_refunded") or 0)
    payment = payment_refund_record(
        stripe_payment_intent_id=payment_intent,
        refunded_minor=refunded,
        fully_refunded=bool(obj.get("refunded")) or refunded >= amount,
        event_id=event.event_id,
    )
    if payment is None:
        return E.DEFERRED, "payment not recorded yet"
    return E.PROCESSED, f"refund on payment {payment.pk}"


HANDLERS: dict[str, Callable[[StripeEvent, dict[str, Any]], tuple[str, str]]] = {
    "checkout.session.completed": _on_checkout_completed,
    "checkout.session.async_payment_succeeded": _on_checkout_completed,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_failed,
    "invoice.voided": _closer(InvoiceStatus.VOID),
    "invoice.marked_uncollectible": _closer(InvoiceStatus.UNCOLLECTIBLE),
    "charge.refunded": _on_charge_refunded,
}


def stripe_event_process(*, event_id: str) -> str:
    """Process one stored event. Safe to run twice: a finished event is left alone."""
    event = StripeEvent.objects.filter(event_id=event_id).first()
    if event is None or event.outcome in (E.PROCESSED, E.IGNORED):
        return event.outcome if event else "missing"
    StripeEvent.objects.filter(pk=event.pk).update(attempts=event.attempts + 1)
    if event.api_version and event.api_version != settings.STRIPE_API_VERSION:
        # The endpoint must be created with the pinned version (see the billing README).
        log.warning(
            "stripe: event %s has API version %s, expected %s",
            event.event_id,
            event.api_version,
            settings.STRIPE_API_VERSION,
        )
    handler = HANDLERS.get(event.type)
    outcome: str
    if handler is None:
        log.info("stripe: acknowledged %s (%s), nothing to do", event.event_id, event.type)
        outcome, note = E.IGNORED, "event type not handled"
    else:
        obj = (event.payload.get("data") or {}).get("object") or {}
        outcome, note = handler(event, obj)
    StripeEvent.objects.filter(pk=event.pk).update(
        outcome=outcome, note=note[:300], processed_at=clock.now() if outcome != E.DEFERRED else None
    )
    return str(outcome)


def stripe_events_requeue_stale(*, older_than: dt.timedelta = dt.timedelta(minutes=15)) -> int:
    """Queue again events still pending or deferred after ``older_than`` (a safety net for
    jobs lost between the outbox and a worker). Processing is idempotent, so this is safe."""
    cutoff = clock.now() - older_than
    stale = list(
        StripeEvent.objects.filter(
            outcome__in=[E.PENDING, E.DEFERRED], received_at__lte=cutoff, attempts__lt=50
        ).values_list("event_id", flat=True)[:500]
    )
    with transaction.atomic():
        for event_id in stale:
            enqueue("billing.process_stripe_event", event_id=event_id)
    return len(stale)
