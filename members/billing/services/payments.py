"""Money received (or in-kind dues accepted), refunds and closed invoices, and their effect
on standing — always through the membership transition service.

Locks are taken in one order everywhere: Membership, then Invoice, then Payment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.mail import email_queue
from core.money import format_money
from core.outbox import enqueue
from members.billing.models import (
    BillingFlag,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentOutcome,
    StripeEvent,
)
from members.billing.pdf import render_receipt_pdf
from members.billing.permissions import can_record_in_kind_dues, can_resolve_billing_flag
from members.billing.services.invoices import RECEIPT_PDF, billing_email, invoice_class
from members.decisions import DecisionRef, check_adopted_decision
from members.models import Membership, MembershipState, Organisation
from members.services.transitions import membership_renew, membership_start_term, membership_transition

log = logging.getLogger(__name__)
S = MembershipState


@dataclass(frozen=True)
class Received:
    """A payment as the provider reported it."""

    method: str
    amount_minor: int
    currency: str
    stripe_payment_intent_id: str = ""
    stripe_charge_id: str = ""
    stripe_invoice_id: str = ""
    stripe_checkout_session_id: str = ""
    receipt_url: str = ""
    stripe_event_id: str = ""


def _existing(received: Received) -> Payment | None:
    """The payment already recorded for the same money (another event about it)."""
    if received.stripe_payment_intent_id:
        found = Payment.objects.filter(stripe_payment_intent_id=received.stripe_payment_intent_id).first()
        if found:
            return found
    if received.stripe_invoice_id:
        found = Payment.objects.filter(stripe_invoice_id=received.stripe_invoice_id).first()
        if found:
            return found
    if received.stripe_checkout_session_id:
        return Payment.objects.filter(stripe_checkout_session_id=received.stripe_checkout_session_id).first()
    return None


def _complete_links(payment: Payment, received: Received) -> None:
    """A later event may know ids an earlier one did not: fill them in, change nothing else."""
    changed = []
    for name in (
        "stripe_payment_intent_id",
        "stripe_charge_id",
        "stripe_invoice_id",
        "stripe_checkout_session_id",
        "receipt_url",
    ):
        value = getattr(received, name)
        if value and not getattr(payment, name):
            setattr(payment, name, value)
            changed.append(name)
    if changed:
        payment.save(update_fields=changed)


def _flag(
    kind: str, *, invoice: Invoice | None, payment: Payment | None, event_id: str, **detail: Any
) -> None:
    BillingFlag.objects.create(
        kind=kind, invoice=invoice, payment=payment, stripe_event_id=event_id, detail=detail
    )


def _apply_to_standing(invoice: Invoice, membership: Membership, actor: Any) -> tuple[str, str]:
    """Extend or start the membership for the invoice's year; (outcome, flag kind or "")."""
    if membership.state == S.PENDING:
        membership_start_term(membership=membership, actor=actor, kind="dues_paid")
        return PaymentOutcome.APPLIED, ""
    if membership.state in (S.ACTIVE, S.GRACE):
        if membership.expires_at and membership.expires_at > invoice.due_at:
            # The year was already paid another way (in kind, another payment).
            return PaymentOutcome.CREDIT, BillingFlag.Kind.DUPLICATE_PAYMENT
        membership_renew(membership=membership, actor=actor, kind="dues_paid")
        return PaymentOutcome.APPLIED, ""
    if membership.state in (S.LAPSED, S.ENDED):
        membership_renew(membership=membership, actor=actor, kind="dues_paid")
        return PaymentOutcome.APPLIED, ""
    return PaymentOutcome.FLAGGED, BillingFlag.Kind.NOT_APPLIED  # suspended


def payment_record(
    *,
    invoice: Invoice | None,
    received: Received,
    organisation: Organisation | None = None,
    actor: Any = None,
    description: str = "",
    decision: DecisionRef | None = None,
) -> tuple[Payment, bool]:
    """Record money received for ``invoice`` once, and let it drive standing.

    Returns ``(payment, created)``. The same money reported again (a replay, or the
    other event about one payment) changes nothing. A wrong amount or currency, a
    second payment for a paid year or a payment for no known invoice is recorded and
    flagged for the treasurer, with standing unchanged.
    """
    now = clock.now()
    with transaction.atomic():
        membership = None
        if invoice is not None:
            membership = Membership.objects.select_for_update().get(pk=invoice.membership_id)
            invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        existing = _existing(received)
        if existing is not None:
            _complete_links(existing, received)
            return existing, False
        outcome: str
        flag: str
        if invoice is None or membership is None:
            # Money we cannot attribute to a year: from a stranger, or a known sponsor
            # paying something that does not name one of our invoices.
            known = organisation is not None
            outcome = PaymentOutcome.FLAGGED
            flag = BillingFlag.Kind.NOT_APPLIED if known else BillingFlag.Kind.UNKNOWN_CUSTOMER
        elif received.amount_minor != invoice.amount_minor or received.currency.upper() != invoice.currency:
            outcome, flag = PaymentOutcome.FLAGGED, BillingFlag.Kind.AMOUNT_MISMATCH
        elif invoice.status in (InvoiceStatus.PAID, InvoiceStatus.REFUNDED):
            outcome, flag = PaymentOutcome.CREDIT, BillingFlag.Kind.DUPLICATE_PAYMENT
        elif invoice.status == InvoiceStatus.VOID:
            outcome, flag = PaymentOutcome.FLAGGED, BillingFlag.Kind.NOT_APPLIED
        else:
            outcome, flag = _apply_to_standing(invoice, membership, actor)
            membership.refresh_from_db()
        payment = Payment.objects.create(
            invoice=invoice,
            organisation=invoice.organisation if invoice else organisation,
            method=received.method,
            outcome=outcome,
            amount_minor=received.amount_minor,
            currency=received.currency.upper(),
            received_at=now,
            applied_expires_at=membership.expires_at
            if (membership and outcome == PaymentOutcome.APPLIED)
            else None,
            stripe_payment_intent_id=received.stripe_payment_intent_id or None,
            stripe_charge_id=received.stripe_charge_id,
            stripe_invoice_id=received.stripe_invoice_id,
            stripe_checkout_session_id=received.stripe_checkout_session_id,
            receipt_url=received.receipt_url,
            description=description,
            decision_ref=decision.reference if decision else "",
            decision_number=decision.number if decision else None,
            recorded_by_ref=getattr(actor, "audit_ref", "system") if actor else "system",
        )
        if invoice is not None and outcome == PaymentOutcome.APPLIED:
            invoice.status = InvoiceStatus.PAID
            invoice.paid_at = now
            invoice.last_payment_error = ""
            invoice.receipt_pdf = render_receipt_pdf(invoice, payment)
            invoice.save(update_fields=["status", "paid_at", "last_payment_error", "receipt_pdf"])
            _email_receipt(invoice, payment)
            if invoice.stripe_invoice_id and invoice.stripe_invoice_id != received.stripe_invoice_id:
                # Paid another way: the Stripe invoice sent earlier must not be paid too.
                enqueue("billing.void_stripe_invoice", invoice_id=invoice.pk)
        if flag:
            _flag(
                flag,
                invoice=invoice,
                payment=payment,
                event_id=received.stripe_event_id,
                expected_minor=invoice.amount_minor if invoice else None,
                expected_currency=invoice.currency if invoice else None,
                received_minor=received.amount_minor,
                received_currency=received.currency.upper(),
            )
        audit_record(
            actor=actor,
            action="billing.payment_recorded",
            obj=invoice or payment,
            data={
                "payment": payment.pk,
                "method": payment.method,
                "outcome": outcome,
                "amount_minor": payment.amount_minor,
                "currency": payment.currency,
                "flag": flag,
                "expires_at": payment.applied_expires_at,
            },
        )
        # Events that arrived before this payment (a refund, say) can now be processed.
        for event_id in StripeEvent.objects.filter(outcome=StripeEvent.Outcome.DEFERRED).values_list(
            "event_id", flat=True
        ):
            enqueue("billing.process_stripe_event", event_id=event_id)
    return payment, True


def _email_receipt(invoice: Invoice, payment: Payment) -> None:
    to = billing_email(invoice.organisation)
    if not to:
        return
    email_queue(
        to=to,
        template="emails/billing/payment_received",
        context={
            "invoice": invoice,
            "amount": format_money(payment.amount_minor, payment.currency),
            "expires_at": invoice.membership.expires_at,
            "url": f"{settings.SITE_URL}/billing/org/{invoice.organisation.slug}/invoices/{invoice.number}/",
        },
        purpose="billing.payment_received",
        subject_ref=invoice.number,
        attachments=[(RECEIPT_PDF, invoice.number)],
    )


def in_kind_record(*, invoice: Invoice, actor: Any, description: str, decision: int) -> Payment:
    """In-kind dues (staff time, hardware, services) accepted by the board, for a class that allows them.

    ``decision`` is the number of the adopted decision of the register that accepted them,
    chosen from a list (``members.decisions``), never a typed reference. Same effect on
    standing as a payment of the invoice. ``actor=None`` is a system call (demo seeding); a
    person must be allowed to record in-kind dues.
    """
    if actor is not None:
        require(
            can_record_in_kind_dues(actor),
            _("Only the treasurer records dues paid in kind."),
            code="not_treasurer",
        )
    accepted_by = check_adopted_decision(decision)
    if not description.strip():
        raise ValidationFailed(_("Describe what was given."), code="description_required")
    klass = invoice_class(invoice)
    if klass is None or not klass.in_kind_allowed:
        raise ValidationFailed(
            _("The %(class)s class does not allow dues in kind.") % {"class": invoice.class_name},
            code="in_kind_not_allowed",
        )
    if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE):
        raise Conflict(_("Only an open invoice can be settled in kind."), code="invoice_not_payable")
    payment, _created = payment_record(
        invoice=invoice,
        received=Received(
            method=PaymentMethod.IN_KIND, amount_minor=invoice.amount_minor, currency=invoice.currency
        ),
        actor=actor,
        description=description.strip(),
        decision=accepted_by,
    )
    return payment


def payment_refund_record(
    *,
    stripe_payment_intent_id: str,
    refunded_minor: int,
    fully_refunded: bool,
    event_id: str = "",
) -> Payment | None:
    """Record a refund reported by Stripe; ``None`` when the payment is not known yet.

    A full refund of the payment that paid the current year lapses the membership.
    A refunded credit (a duplicate payment) leaves standing alone.
    """
    payment = Payment.objects.filter(stripe_payment_intent_id=stripe_payment_intent_id).first()
    if payment is None:
        return None
    now = clock.now()
    with transaction.atomic():
        membership = None
        if payment.invoice_id:
            invoice_row = Invoice.objects.only("membership_id").get(pk=payment.invoice_id)
            membership = Membership.objects.select_for_update().get(pk=invoice_row.membership_id)
            Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.refunded_minor >= refunded_minor:
            return payment  # already recorded
        previous_outcome = payment.outcome
        payment.refunded_minor = refunded_minor
        lapsed = False
        if fully_refunded:
            payment.outcome = PaymentOutcome.REFUNDED
            invoice = payment.invoice
            if previous_outcome == PaymentOutcome.APPLIED and invoice is not None and membership is not None:
                Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.REFUNDED, closed_at=now)
                if (
                    membership.state in (S.ACTIVE, S.GRACE)
                    and membership.expires_at == payment.applied_expires_at
                ):
                    membership_transition(
                        membership=membership,
                        to_state=S.LAPSED,
                        kind="dues_refunded",
                        reason=_("The dues for invoice %(number)s were refunded.")
                        % {"number": invoice.number},
                        expires_at=now,
                    )
                    lapsed = True
        else:
            _flag(
                BillingFlag.Kind.PARTIAL_REFUND,
                invoice=payment.invoice,
                payment=payment,
                event_id=event_id,
                refunded_minor=refunded_minor,
                amount_minor=payment.amount_minor,
            )
        payment.save(update_fields=["refunded_minor", "outcome"])
        audit_record(
            actor=None,
            action="billing.payment_refunded",
            obj=payment.invoice or payment,
            data={
                "payment": payment.pk,
                "refunded_minor": refunded_minor,
                "full": fully_refunded,
                "lapsed": lapsed,
            },
        )
    return payment


def invoice_close(*, invoice: Invoice, status: str, actor: Any = None, event_id: str = "") -> Invoice:
    """Void an open invoice or mark it uncollectible. A paid invoice is left as it is.

    Standing is not touched here: an unpaid year runs into grace and lapse on schedule.
    """
    if status not in (InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE):
        raise ValidationFailed(_("An invoice can only be voided or written off."), code="bad_status")
    with transaction.atomic():
        Membership.objects.select_for_update().get(pk=invoice.membership_id)
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status not in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE) or locked.status == status:
            return locked
        previous = locked.status
        locked.status = status
        locked.closed_at = clock.now()
        locked.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=actor,
            action=f"billing.invoice_{status}",
            obj=locked,
            data={"from": previous, "event": event_id},
        )
    return locked


def invoice_payment_failed(*, invoice: Invoice, attempt: int, event_id: str = "") -> Invoice:
    """A payment attempt failed: tell the sponsor and the treasurer; standing is unchanged."""
    with transaction.atomic():
        Membership.objects.select_for_update().get(pk=invoice.membership_id)
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        message = _("A payment attempt failed on %(date)s (attempt %(attempt)s).") % {
            "date": clock.today().isoformat(),
            "attempt": attempt,
        }
        locked.last_payment_error = message[:300]
        locked.save(update_fields=["last_payment_error"])
        _flag(
            BillingFlag.Kind.PAYMENT_FAILED, invoice=locked, payment=None, event_id=event_id, attempt=attempt
        )
        to = billing_email(locked.organisation)
        if to and locked.is_open:
            email_queue(
                to=to,
                template="emails/billing/payment_failed",
                context={
                    "invoice": locked,
                    "amount": format_money(locked.amount_minor, locked.currency),
                    "url": f"{settings.SITE_URL}/billing/org/{locked.organisation.slug}/invoices/{locked.number}/",
                },
                purpose="billing.payment_failed",
                subject_ref=locked.number,
            )
        audit_record(actor=None, action="billing.payment_failed", obj=locked, data={"attempt": attempt})
    return locked


def flag_resolve(*, flag: BillingFlag, actor: Any) -> BillingFlag:
    """The treasurer has dealt with ``flag``. Resolving twice changes nothing."""
    require(
        can_resolve_billing_flag(actor, flag),
        _("Only the treasurer resolves billing flags."),
        code="not_treasurer",
    )
    with transaction.atomic():
        locked = BillingFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.resolved_at is None:
            locked.resolved_at = clock.now()
            locked.save(update_fields=["resolved_at"])
            audit_record(actor=actor, action="billing.flag_resolved", obj=locked, data={"kind": locked.kind})
    return locked
