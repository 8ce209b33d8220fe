"""Issuing invoices for membership years, and the sponsor's ways to pay them.

Stripe is called outside any transaction: first Stripe, then the write that records
what Stripe returned. Our invoice id travels in ``metadata`` of every Stripe object.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.mail import email_queue
from core.money import format_money
from core.rules import rules_in_force
from members.billing.models import BillingAccount, Invoice, InvoiceCounter, InvoiceStatus
from members.billing.pdf import invoice_filename, receipt_filename, render_invoice_pdf, render_receipt_pdf
from members.billing.permissions import can_manage_billing
from members.billing.rules import billing_rules
from members.billing.stripe_client import stripe_call
from members.models import Membership, MembershipClass, MembershipState, Organisation

S = MembershipState
RENEWABLE = (S.ACTIVE, S.GRACE)
NEW_TERM = (S.PENDING, S.LAPSED, S.ENDED)


def tax_notice_text(*, lobbying_share_percent: int) -> str:
    """The notice a 501(c)(6) must give with its dues invoices (IRC §6113 and §6033(e))."""
    base = _(
        "%(foundation)s is a business league exempt under section 501(c)(6) of the US Internal "
        "Revenue Code. Dues are not deductible as charitable contributions for federal income "
        "tax purposes; they may be deductible as an ordinary and necessary business expense."
    ) % {"foundation": settings.FOUNDATION_NAME}
    if lobbying_share_percent:
        return (
            base
            + " "
            + _(
                "%(percent)s%% of these dues is allocable to lobbying and political expenditures "
                "and is not deductible."
            )
            % {"percent": lobbying_share_percent}
        )
    return base + " " + _("No part of these dues is used for lobbying or political expenditures.")


INVOICE_PDF = "billing.invoice_pdf"
RECEIPT_PDF = "billing.receipt_pdf"


def invoice_pdf_ensure(*, invoice: Invoice) -> bytes:
    """The stored PDF of an issued invoice; one issued before PDFs existed gets it now, from
    its frozen fields, stored once (a second caller finds it stored)."""
    if invoice.pdf:
        return bytes(invoice.pdf)
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not locked.pdf:
            locked.pdf = render_invoice_pdf(locked)
            locked.save(update_fields=["pdf"])
    invoice.pdf = locked.pdf
    return bytes(locked.pdf)


def receipt_pdf_ensure(*, invoice: Invoice) -> bytes | None:
    """The stored receipt of a paid invoice (``None`` unless paid), stored once as for the invoice."""
    if invoice.receipt_pdf:
        return bytes(invoice.receipt_pdf)
    if invoice.status != InvoiceStatus.PAID:
        return None
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not locked.receipt_pdf:
            payment = locked.payments.filter(outcome="applied").order_by("received_at", "pk").first()
            if payment is None:
                return None
            locked.receipt_pdf = render_receipt_pdf(locked, payment)
            locked.save(update_fields=["receipt_pdf"])
    invoice.receipt_pdf = locked.receipt_pdf
    return bytes(locked.receipt_pdf)


def stored_invoice_pdf(number: str) -> tuple[str, bytes, str] | None:
    """The invoice email's attachment, by invoice number (core.mail resolves it when sending)."""
    invoice = Invoice.objects.filter(number=number).first()
    return (
        (invoice_filename(invoice), invoice_pdf_ensure(invoice=invoice), "application/pdf")
        if invoice
        else None
    )


def stored_receipt_pdf(number: str) -> tuple[str, bytes, str] | None:
    invoice = Invoice.objects.filter(number=number).first()
    content = receipt_pdf_ensure(invoice=invoice) if invoice else None
    return (receipt_filename(invoice), content, "application/pdf") if invoice and content else None


def invoice_class(invoice: Invoice) -> MembershipClass | None:
    return MembershipClass.objects.filter(rule_set_id=invoice.rule_set_id, code=invoice.class_code).first()


def _next_number(year: int) -> str:
    counter, _created = InvoiceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.BILLING_INVOICE_PREFIX}-{year}-{counter.last:05d}"


def billing_email(organisation: Organisation) -> str:
    if organisation.billing_contact_email:
        return organisation.billing_contact_email
    representative = organisation.representative
    return representative.email if representative is not None else ""


def invoice_issue(*, membership: Membership, actor: Any = None, at: dt.datetime | None = None) -> Invoice:
    """Bill the membership's next year with the dues in force now.

    Active or in grace: the year that starts at the current expiry, due then. Pending,
    lapsed or ended: a new term, due on receipt. A year is billed once (a constraint).
    """
    at = at or clock.now()
    rules = rules_in_force(at=at)
    terms = billing_rules(rules)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.organisation_id is None:
            raise ValidationFailed(_("Only organisations are invoiced for dues."), code="not_an_organisation")
        klass = MembershipClass.objects.filter(rule_set=rules, code=locked.class_code).first()
        if klass is None or klass.is_free:
            raise ValidationFailed(_("This membership class has no dues."), code="no_dues")
        if locked.state == S.SUSPENDED:
            raise Conflict(_("A suspended membership is not invoiced."), code="membership_suspended")
        if locked.state in RENEWABLE and locked.expires_at:
            due_at = locked.expires_at
            year_key = due_at.date().isoformat()
        else:
            if Invoice.objects.filter(membership=locked, status=InvoiceStatus.OPEN).exists():
                raise Conflict(_("This membership already has an open invoice."), code="already_invoiced")
            due_at = at
            year_key = f"new-{at.date().isoformat()}"
        if (
            Invoice.objects.filter(membership=locked, year_key=year_key)
            .exclude(status=InvoiceStatus.VOID)
            .exists()
        ):
            raise Conflict(_("This membership year has already been invoiced."), code="already_invoiced")
        org = locked.organisation
        assert org is not None
        invoice = Invoice.objects.create(
            number=_next_number(at.year),
            membership=locked,
            organisation=org,
            year_key=year_key,
            rule_set=rules,
            class_code=klass.code,
            class_name=klass.name,
            amount_minor=klass.annual_dues_minor,
            currency=klass.currency.upper(),
            issued_on=at.date(),
            due_at=due_at,
            bill_to_name=org.legal_name,
            billing_address=org.billing_address,
            tax_id=org.tax_id,
            lobbying_share_percent=terms.lobbying_share_percent,
            tax_notice=tax_notice_text(lobbying_share_percent=terms.lobbying_share_percent),
            created_at=at,
        )
        invoice.pdf = render_invoice_pdf(invoice)
        invoice.save(update_fields=["pdf"])
        to = billing_email(org)
        if to:
            email_queue(
                to=to,
                template="emails/billing/invoice_issued",
                context={
                    "invoice": invoice,
                    "amount": format_money(invoice.amount_minor, invoice.currency),
                    "url": f"{settings.SITE_URL}/billing/org/{org.slug}/invoices/{invoice.number}/",
                },
                purpose="billing.invoice_issued",
                subject_ref=invoice.number,
                attachments=[(INVOICE_PDF, invoice.number)],
            )
        audit_record(
            actor=actor,
            action="billing.invoice_issued",
            obj=invoice,
            data={
                "membership": locked.number,
                "class": klass.code,
                "amount_minor": invoice.amount_minor,
                "currency": invoice.currency,
                "due_at": due_at,
                "rule_set": rules.version,
            },
        )
    return invoice


def invoices_issue_due(*, at: dt.datetime | None = None) -> int:
    """Issue every invoice that is due to be issued (the daily job). Safe to run twice."""
    at = at or clock.now()
    rules = rules_in_force(at=at)
    horizon = at + dt.timedelta(days=billing_rules(rules).invoice_issue_days_before_expiry)
    paid_codes = list(
        MembershipClass.objects.filter(rule_set=rules, annual_dues_minor__gt=0).values_list("code", flat=True)
    )
    candidates = Membership.objects.filter(organisation__isnull=False, class_code__in=paid_codes)
    renewing = candidates.filter(state__in=RENEWABLE, expires_at__lte=horizon)
    starting = candidates.filter(state=S.PENDING).exclude(invoices__status=InvoiceStatus.OPEN)
    ids = sorted(set(renewing.values_list("pk", flat=True)) | set(starting.values_list("pk", flat=True)))
    issued = 0
    for membership in Membership.objects.filter(pk__in=ids).order_by("pk"):
        if membership.state in RENEWABLE and membership.expires_at:
            key = membership.expires_at.date().isoformat()
            if membership.invoices.filter(year_key=key).exclude(status=InvoiceStatus.VOID).exists():
                continue
        try:
            invoice_issue(membership=membership, at=at)
        except (Conflict, ValidationFailed):
            continue
        issued += 1
    return issued


def _check_manages_billing(actor: Any, organisation: Organisation) -> None:
    require(
        can_manage_billing(actor, organisation),
        _("You do not manage this organisation's billing."),
        code="not_billing_contact",
    )


def invoice_update_details(
    *, invoice: Invoice, actor: Any, po_number: str, billing_address: str, tax_id: str
) -> Invoice:
    """The buyer's purchase-order number, address and tax id, while the invoice is open."""
    _check_manages_billing(actor, invoice.organisation)
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not locked.is_open:
            raise Conflict(_("Only an open invoice can be changed."), code="invoice_not_open")
        if locked.stripe_invoice_id:
            raise Conflict(
                _("This invoice has already been sent through Stripe; ask the treasurer to reissue it."),
                code="invoice_sent",
            )
        locked.po_number = po_number.strip()
        locked.billing_address = billing_address.strip()
        locked.tax_id = tax_id.strip()
        # The buyer's own details are the one part of an open invoice that may be corrected
        # (never the number, amount, dates or notice): the stored PDF is drawn again with them.
        locked.pdf = render_invoice_pdf(locked)
        locked.save(update_fields=["po_number", "billing_address", "tax_id", "pdf"])
        audit_record(actor=actor, action="billing.invoice_details_changed", obj=locked, data={})
    return locked


# --- Stripe: customer, Checkout, "invoice me", portal -------------------------------------


def billing_account_ensure(*, organisation: Organisation) -> str:
    """The organisation's one Stripe customer id, created on first use.

    Stripe first (with an idempotency key per organisation, so a retry after a failure
    returns the same customer), then the row: nothing is written if Stripe is down.
    """
    account = BillingAccount.objects.filter(organisation=organisation).first()
    if account and account.stripe_customer_id:
        return account.stripe_customer_id
    customer = stripe_call(
        lambda client: client.v1.customers.create(
            params={
                "name": organisation.legal_name,
                "email": billing_email(organisation) or None,
                "metadata": {"charter_organisation_id": str(organisation.pk)},
            },
            # Stable per organisation row (its creation time guards against a reset database
            # reusing the id within Stripe's 24-hour idempotency window).
            options={
                "idempotency_key": f"charter-customer-{organisation.pk}-{int(organisation.created_at.timestamp())}"
            },
        )
    )
    try:
        with transaction.atomic():
            account, _created = BillingAccount.objects.select_for_update().get_or_create(
                organisation=organisation
            )
            if not account.stripe_customer_id:
                account.stripe_customer_id = customer.id
                account.save(update_fields=["stripe_customer_id"])
                audit_record(actor=None, action="billing.customer_created", obj=account, data={})
    except IntegrityError:
        account = BillingAccount.objects.get(organisation=organisation)
    return str(account.stripe_customer_id)


def _metadata(invoice: Invoice) -> dict[str, str]:
    return {
        "charter_invoice_id": str(invoice.pk),
        "charter_invoice_number": invoice.number,
        "charter_membership": invoice.membership.number,
    }


def _check_payable(invoice: Invoice) -> None:
    if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE):
        raise Conflict(
            _("Invoice %(number)s is %(status)s and cannot be paid.")
            % {"number": invoice.number, "status": invoice.get_status_display().lower()},
            code="invoice_not_payable",
        )


def checkout_start(*, invoice: Invoice, actor: Any, success_url: str, cancel_url: str) -> str:
    """Open a Stripe Checkout session for ``invoice``; returns the page to send the payer to."""
    _check_manages_billing(actor, invoice.organisation)
    invoice.refresh_from_db()
    _check_payable(invoice)
    customer_id = billing_account_ensure(organisation=invoice.organisation)
    metadata = _metadata(invoice)
    session = stripe_call(
        lambda client: client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "customer": customer_id,
                "client_reference_id": invoice.number,
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": invoice.currency.lower(),
                            "unit_amount": invoice.amount_minor,
                            "product_data": {
                                "name": _("%(class)s membership dues, invoice %(number)s")
                                % {"class": invoice.class_name, "number": invoice.number}
                            },
                        },
                    }
                ],
                "metadata": metadata,
                "payment_intent_data": {"metadata": metadata},
                "invoice_creation": {"enabled": True, "invoice_data": {"metadata": metadata}},
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
    )
    with transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(stripe_checkout_session_id=session.id)
        audit_record(
            actor=actor, action="billing.checkout_started", obj=invoice, data={"session": session.id}
        )
    return str(session.url)


def invoice_send_via_stripe(*, invoice: Invoice, actor: Any) -> str:
    """ "Invoice me": a finalised Stripe invoice with its hosted payment page; returns its url.

    Each step carries an idempotency key derived from our invoice, so a retry after a
    failure part-way reuses the objects Stripe already made.
    """
    _check_manages_billing(actor, invoice.organisation)
    invoice.refresh_from_db()
    _check_payable(invoice)
    if invoice.stripe_invoice_id and invoice.hosted_invoice_url:
        return invoice.hosted_invoice_url
    customer_id = billing_account_ensure(organisation=invoice.organisation)
    metadata = _metadata(invoice)
    key = f"charter-invoice-{invoice.number}-{int(invoice.created_at.timestamp())}"
    due = max(invoice.due_at, clock.now() + dt.timedelta(days=1))
    custom_fields = [{"name": _("PO number"), "value": invoice.po_number}] if invoice.po_number else []

    def create(client: Any) -> Any:
        draft = client.v1.invoices.create(
            params={
                "customer": customer_id,
                "collection_method": "send_invoice",
                "due_date": int(due.timestamp()),
                "currency": invoice.currency.lower(),
                "auto_advance": False,
                "metadata": metadata,
                "footer": invoice.tax_notice,
                "custom_fields": custom_fields,
            },
            options={"idempotency_key": f"{key}-create"},
        )
        client.v1.invoice_items.create(
            params={
                "customer": customer_id,
                "invoice": draft.id,
                "amount": invoice.amount_minor,
                "currency": invoice.currency.lower(),
                "description": _("%(class)s membership dues, invoice %(number)s")
                % {"class": invoice.class_name, "number": invoice.number},
                "metadata": metadata,
            },
            options={"idempotency_key": f"{key}-item"},
        )
        final = client.v1.invoices.finalize_invoice(draft.id, options={"idempotency_key": f"{key}-finalize"})
        client.v1.invoices.send_invoice(final.id, options={"idempotency_key": f"{key}-send"})
        return final

    stripe_invoice = stripe_call(create)
    with transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(
            stripe_invoice_id=stripe_invoice.id, hosted_invoice_url=stripe_invoice.hosted_invoice_url or ""
        )
        audit_record(
            actor=actor,
            action="billing.stripe_invoice_sent",
            obj=invoice,
            data={"stripe_invoice": stripe_invoice.id},
        )
    return str(stripe_invoice.hosted_invoice_url)


def portal_session_create(*, organisation: Organisation, actor: Any, return_url: str) -> str:
    """A Stripe customer-portal session (payment methods, receipts); returns its url."""
    _check_manages_billing(actor, organisation)
    customer_id = billing_account_ensure(organisation=organisation)
    session = stripe_call(
        lambda client: client.v1.billing_portal.sessions.create(
            params={"customer": customer_id, "return_url": return_url}
        )
    )
    return str(session.url)


def stripe_invoice_void_superseded(*, invoice_id: int) -> None:
    """Void the Stripe invoice of a year that was paid another way (Checkout, in kind).

    Safe to run twice: Stripe says whether the invoice is still open before we void it.
    """
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None or not invoice.stripe_invoice_id or invoice.status != InvoiceStatus.PAID:
        return
    stripe_id = invoice.stripe_invoice_id
    remote = stripe_call(lambda client: client.v1.invoices.retrieve(stripe_id))
    if remote.status in ("open", "uncollectible"):
        stripe_call(lambda client: client.v1.invoices.void_invoice(stripe_id))
        with transaction.atomic():
            audit_record(actor=None, action="billing.stripe_invoice_voided", obj=invoice, data={})
