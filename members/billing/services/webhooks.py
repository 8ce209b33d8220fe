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
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.outbox import enqueue
from members.billing.models import (
    BillingAccount,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    StripeEvent,
)
from members.billing.permissions import can_retry_stripe_event
from members.billing.services.payments import (
    Received,
    invoice_close,
    invoice_payment_failed,
    payment_record,
    payment_refund_record,
)
from members.billing.stripe_client import StripeUnreachable, stripe_call

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


#: How deep a payload may nest. Stripe's events nest about ten levels (event, data,
#: object, lines, data, item, price, ...); a bound keeps a deeply nested body (signed by
#: someone holding the secret, or a bug) from reaching the database or the recursion limit.
MAX_PAYLOAD_DEPTH = 64
#: The latest ``created`` accepted (9999-12-31T23:59:59Z), the end of Python's datetimes.
_MAX_TIMESTAMP = 253_402_300_799


def _refuse(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_payload", detail={"field": field})


def _refuse_constant(name: str) -> Any:
    """``json.loads`` accepts NaN and Infinity; JSON (and PostgreSQL's jsonb) does not."""
    raise ValueError(f"{name} is not JSON")


def check_payload_storable(data: Any) -> None:
    """Refuse what JSON allows but the database cannot keep: nesting deeper than
    ``MAX_PAYLOAD_DEPTH``, numbers too large for a float, NUL characters and unpaired
    surrogates (jsonb rejects all three)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: list[Any] = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            if isinstance(value, float) and not math.isfinite(value):  # 1e999 parses as inf
                raise _refuse(_("The webhook payload has a number out of range."), "payload")
            if isinstance(value, str) and ("\x00" in value or not value.isascii()):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    raise _refuse(_("The webhook payload has an unpaired surrogate."), "payload") from exc
                if "\x00" in value:
                    raise _refuse(_("The webhook payload has a NUL character."), "payload")
            continue
        if depth > MAX_PAYLOAD_DEPTH:
            raise _refuse(
                _("The webhook payload nests deeper than %(depth)s levels.") % {"depth": MAX_PAYLOAD_DEPTH},
                "payload",
            )
        stack.extend((child, depth + 1) for child in children)


def _event_string(data: dict[str, Any], field: str, max_length: int, *, required: bool = True) -> str:
    value = data.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value) or len(value) > max_length:
        raise _refuse(
            _("The event's %(field)s must be a string of at most %(max)s characters.")
            % {"field": field, "max": max_length},
            field,
        )
    return value


def _event_created(data: dict[str, Any]) -> dt.datetime | None:
    created = data.get("created")
    if created is None:
        return None
    if (
        isinstance(created, bool)
        or not isinstance(created, int | float)
        or not 0 <= created <= _MAX_TIMESTAMP
    ):
        raise _refuse(_("The event's created time is not a Unix timestamp."), "created")
    return dt.datetime.fromtimestamp(created, tz=dt.UTC)


@dataclass(frozen=True)
class ParsedEvent:
    event_id: str
    type: str
    api_version: str
    created: dt.datetime | None
    data: dict[str, Any]


def parse_event(payload: bytes) -> ParsedEvent:
    """The verified body as a Stripe event, or ``ValidationFailed`` (code ``bad_payload``)
    saying which part is wrong; nothing here touches the database."""
    try:
        data = json.loads(payload, parse_constant=_refuse_constant)
    except RecursionError as exc:  # the C parser's own limit, before any depth check of ours
        raise _refuse(_("The webhook payload nests too deeply."), "payload") from exc
    except ValueError as exc:
        raise _refuse(_("The webhook payload is not valid JSON."), "payload") from exc
    if not isinstance(data, dict):
        raise _refuse(_("The webhook payload is not a Stripe event."), "payload")
    check_payload_storable(data)
    return ParsedEvent(
        event_id=_event_string(data, "id", 100),
        type=_event_string(data, "type", 80),
        api_version=_event_string(data, "api_version", 40, required=False),
        created=_event_created(data),
        data=data,
    )


def webhook_receive(*, payload: bytes, header: str) -> tuple[StripeEvent, bool]:
    """Store a verified event once and queue its processing; a replay changes nothing.

    A payload that is not a storable Stripe event is refused (``ValidationFailed``, code
    ``bad_payload``, ``detail["field"]`` naming what is wrong) and nothing is stored.
    """
    check_signature(payload=payload, header=header)
    parsed = parse_event(payload)
    with transaction.atomic():
        event, created = StripeEvent.objects.get_or_create(
            event_id=parsed.event_id,
            defaults={
                "type": parsed.type,
                "api_version": parsed.api_version,
                "livemode": bool(parsed.data.get("livemode")),
                "stripe_created": parsed.created,
                "payload": parsed.data,
                "received_at": clock.now(),
            },
        )
        if created:
            enqueue("billing.process_stripe_event", event_id=parsed.event_id)
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


#: Why five: an error that is not Stripe being unreachable (that one the task retries
#: itself) is a payload we cannot apply or a bug, and does not go away by waiting. Five
#: attempts, one per run of the 15-minute requeue, ride out a deadlock or a database
#: restart (about an hour); then the event is marked failed, the treasurer's page lists
#: it with its error, and a retry there (after a fix) puts it back.
STRIPE_EVENT_MAX_FAILURES = 5
#: Attempts of any kind (still deferred, Stripe unreachable each time) after which an
#: unfinished event is marked failed instead of being queued again without end.
STRIPE_EVENT_MAX_ATTEMPTS = 50
_UNFINISHED = (E.PENDING, E.DEFERRED)


def _event_fail(*, event_id: str, reason: str, count_failure: bool) -> str:
    """Note an error on an unfinished event; at the bound mark it failed (audited).

    Returns the outcome the event is left with."""
    with transaction.atomic():
        locked = StripeEvent.objects.select_for_update().filter(event_id=event_id).first()
        if locked is None or locked.outcome not in _UNFINISHED:
            return locked.outcome if locked else "missing"
        if count_failure:
            locked.failures += 1
        locked.last_error = reason[:2000]
        update = ["failures", "last_error"]
        if locked.failures >= STRIPE_EVENT_MAX_FAILURES or locked.attempts >= STRIPE_EVENT_MAX_ATTEMPTS:
            locked.outcome = E.FAILED
            locked.failed_at = clock.now()
            locked.note = _("Failed after %(attempts)s attempts: waits for the treasurer.") % {
                "attempts": locked.attempts
            }
            update += ["outcome", "failed_at", "note"]
            log.error("stripe: event %s (%s) failed: %s", locked.event_id, locked.type, reason)
            audit_record(
                actor=None,
                action="billing.stripe_event_failed",
                obj=locked,
                data={
                    "event_id": locked.event_id,
                    "type": locked.type,
                    "attempts": locked.attempts,
                    "failures": locked.failures,
                },
            )
        locked.save(update_fields=update)
        return str(locked.outcome)


def stripe_event_process(*, event_id: str) -> str:
    """Process one stored event. Safe to run twice: a finished event is left alone.

    An error while handling it (other than Stripe being unreachable, which the task
    retries) is recorded on the event, which stays pending for the periodic requeue; the
    ``STRIPE_EVENT_MAX_FAILURES``-th marks it failed. A failed event is left alone until
    the treasurer retries it (``stripe_event_retry``).
    """
    event = StripeEvent.objects.filter(event_id=event_id).first()
    if event is None or event.outcome not in _UNFINISHED:
        return event.outcome if event else "missing"
    StripeEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1)
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
        try:
            outcome, note = handler(event, obj)
        except StripeUnreachable:
            raise  # transient: the task retries it with backoff
        except Exception as exc:  # anything else: recorded, bounded, shown to the treasurer
            log.warning("stripe: event %s (%s) raised %r", event.event_id, event.type, exc, exc_info=True)
            return _event_fail(event_id=event.event_id, reason=_error_text(exc), count_failure=True)
    StripeEvent.objects.filter(pk=event.pk).update(
        outcome=outcome, note=note[:300], processed_at=clock.now() if outcome != E.DEFERRED else None
    )
    return str(outcome)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


def stripe_events_requeue_stale(*, older_than: dt.timedelta = dt.timedelta(minutes=15)) -> int:
    """Queue again events still pending or deferred after ``older_than`` (a safety net for
    jobs lost between the outbox and a worker, and the spacing of retries after an error).
    Processing is idempotent, so this is safe. An event attempted
    ``STRIPE_EVENT_MAX_ATTEMPTS`` times is marked failed instead of being queued again."""
    cutoff = clock.now() - older_than
    unfinished = StripeEvent.objects.filter(outcome__in=_UNFINISHED, received_at__lte=cutoff)
    for exhausted in unfinished.filter(attempts__gte=STRIPE_EVENT_MAX_ATTEMPTS).values_list(
        "event_id", "outcome", "note"
    )[:500]:
        event_id, outcome, note = exhausted
        _event_fail(
            event_id=event_id,
            reason=f"still {outcome} after {STRIPE_EVENT_MAX_ATTEMPTS} attempts: {note}",
            count_failure=False,
        )
    stale = list(
        unfinished.filter(attempts__lt=STRIPE_EVENT_MAX_ATTEMPTS).values_list("event_id", flat=True)[:500]
    )
    with transaction.atomic():
        for event_id in stale:
            enqueue("billing.process_stripe_event", event_id=event_id)
    return len(stale)


def stripe_event_retry(*, event: StripeEvent, actor: Any) -> StripeEvent:
    """The treasurer puts a failed event back to pending (after fixing its cause) and its
    processing is queued. Its error stays recorded; a replay of the event by Stripe still
    changes nothing twice (the event id is unique, processing is idempotent)."""
    require(
        can_retry_stripe_event(actor, event),
        _("Only the treasurer retries a failed payment event."),
        code="not_treasurer",
    )
    with transaction.atomic():
        locked = StripeEvent.objects.select_for_update().get(pk=event.pk)
        if locked.outcome != E.FAILED:
            raise Conflict(
                _("Event %(event)s has not failed: it is %(outcome)s.")
                % {"event": locked.event_id, "outcome": locked.get_outcome_display()},
                code="not_failed",
            )
        previous = {"attempts": locked.attempts, "failures": locked.failures}
        locked.outcome = E.PENDING
        locked.attempts = 0
        locked.failures = 0
        locked.failed_at = None
        locked.note = _("Retried by the treasurer.")
        locked.save(update_fields=["outcome", "attempts", "failures", "failed_at", "note"])
        enqueue("billing.process_stripe_event", event_id=locked.event_id)
        audit_record(
            actor=actor,
            action="billing.stripe_event_retried",
            obj=locked,
            data={"event_id": locked.event_id, "type": locked.type, **previous},
        )
    return locked
