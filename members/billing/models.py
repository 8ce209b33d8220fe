"""Dues and payments: invoices per membership year, payments, Stripe events and flags.

Records link to Stripe only through ids and ``metadata`` (our invoice id travels in
every Stripe object we create), so any event can be matched whatever order it arrives in.
Writes happen only in ``members.billing.services``.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


class BillingAccount(models.Model):
    """An organisation as a Stripe customer: one customer per organisation."""

    organisation = models.OneToOneField(
        "members.Organisation", on_delete=models.PROTECT, related_name="billing_account"
    )
    stripe_customer_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.organisation} ({self.stripe_customer_id or '—'})"


class InvoiceCounter(models.Model):
    """The last invoice number used per year; locked while a number is taken (no gaps)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")
    UNCOLLECTIBLE = "uncollectible", _("Uncollectible")
    REFUNDED = "refunded", _("Refunded")


class Invoice(models.Model):
    """Dues for one membership year, frozen as billed.

    Amount, currency, class and rule-set version are copied at issue: a later dues
    change never alters an existing invoice. ``year_key`` names the membership year
    (the expiry it renews, or the start of a new term) and is unique per membership
    among live invoices, so a year is never billed twice.
    """

    number = models.CharField(max_length=30, unique=True)
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="invoices")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="invoices"
    )
    year_key = models.CharField(max_length=20)
    rule_set = models.ForeignKey("core.RuleSet", on_delete=models.PROTECT, related_name="+")
    class_code = models.SlugField(max_length=40)
    class_name = models.CharField(max_length=100)
    amount_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    issued_on = models.DateField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=15, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    # What corporate buyers need on the document.
    bill_to_name = models.CharField(max_length=200)
    billing_address = models.TextField(blank=True)
    po_number = models.CharField(_("purchase-order number"), max_length=60, blank=True)
    tax_id = models.CharField(_("tax or VAT id"), max_length=60, blank=True)
    lobbying_share_percent = models.PositiveSmallIntegerField(default=0)
    tax_notice = models.TextField()
    # Stripe links (ids only).
    stripe_invoice_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_checkout_session_id = models.CharField(max_length=100, blank=True)
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    last_payment_error = models.CharField(max_length=300, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # The documents as sent (members/billing/pdf.py): the invoice stored when issued, the
    # receipt when the payment is recorded; never rendered again once stored.
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    receipt_pdf = models.BinaryField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "year_key"],
                condition=~Q(status="void"),
                name="one_live_invoice_per_membership_year",
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="invoice_status_due_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_ref(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == InvoiceStatus.OPEN

    def is_overdue(self, at: dt.datetime | None = None) -> bool:
        return self.status == InvoiceStatus.OPEN and self.due_at <= (at or clock.now())


class PaymentMethod(models.TextChoices):
    CHECKOUT = "checkout", _("Card or bank (Stripe Checkout)")
    STRIPE_INVOICE = "stripe_invoice", _("Stripe invoice")
    IN_KIND = "in_kind", _("In kind")


class PaymentOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied to the membership year")
    CREDIT = "credit", _("Held as a credit")
    FLAGGED = "flagged", _("Held for the treasurer")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    """Money (or in-kind dues) received, and what it did to standing.

    ``applied_expires_at`` is the expiry this payment gave the membership, so a refund
    can tell whether it paid for the current year.
    """

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    outcome = models.CharField(max_length=10, choices=PaymentOutcome.choices)
    amount_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    refunded_minor = models.PositiveBigIntegerField(default=0)
    received_at = models.DateTimeField(default=clock.now)
    applied_expires_at = models.DateTimeField(null=True, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=100, blank=True)
    stripe_invoice_id = models.CharField(max_length=100, blank=True)
    stripe_checkout_session_id = models.CharField(max_length=100, blank=True)
    receipt_url = models.URLField(max_length=500, blank=True)
    # In-kind dues: what was given and the board decision that accepted it: the number of an
    # adopted decision of the register, and its printed reference. Payments recorded before
    # decisions were chosen from the register have a free-text ``decision_ref`` and no number
    # (shown as a legacy reference).
    description = models.TextField(blank=True)
    decision_ref = models.CharField(max_length=200, blank=True)
    decision_number = models.PositiveIntegerField(null=True, blank=True)
    recorded_by_ref = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount_minor} {self.currency}"


class StripeEvent(models.Model):
    """Each webhook event once, by Stripe's id; processed by a job after commit."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting to be processed")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Acknowledged, nothing to do")
        DEFERRED = "deferred", _("Waiting for an earlier event")
        FAILED = "failed", _("Failed")

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=80)
    api_version = models.CharField(max_length=40, blank=True)
    livemode = models.BooleanField(default=False)
    stripe_created = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=clock.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Attempts that raised an error (Stripe being unreachable is not one): at the bound
    # (services/webhooks.py) the event is marked failed and shown to the treasurer.
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["outcome", "received_at"], name="stripe_event_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class BillingFlag(models.Model):
    """Something the treasurer must look at: standing was left unchanged."""

    class Kind(models.TextChoices):
        AMOUNT_MISMATCH = "amount_mismatch", _("Amount or currency differs from the invoice")
        DUPLICATE_PAYMENT = "duplicate_payment", _("Second payment for a paid year (credit)")
        UNKNOWN_CUSTOMER = "unknown_customer", _("Payment from an unknown Stripe customer")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")
        PARTIAL_REFUND = "partial_refund", _("Partial refund")
        NOT_APPLIED = "not_applied", _("Payment could not change standing")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="flags"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="flags"
    )
    stripe_event_id = models.CharField(max_length=100, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"
