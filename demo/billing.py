"""Demo data for billing: sponsors with invoices in every state, one in grace, one overdue.

Written through the same services as real use (no Stripe call: payments are recorded
as the webhook would record them), with the clock moved so the history is real.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, TextIO

from allauth.account.models import EmailAddress
from django.utils.text import slugify

from core import clock
from core.models import User
from core.rules import rules_in_force
from demo.governance import IN_KIND_DECISION
from demo.members import demo_group
from governance.models import Decision, Outcome
from members.billing.models import Invoice, InvoiceStatus, PaymentMethod
from members.billing.rules import billing_rules
from members.billing.services.invoices import invoice_issue
from members.billing.services.payments import (
    Received,
    in_kind_record,
    invoice_close,
    payment_record,
    payment_refund_record,
)
from members.models import Membership, MembershipClass, Organisation
from members.services.transitions import membership_apply_schedule


def _organisation(name: str, password: str | None) -> Organisation:
    slug = slugify(name)
    email = f"billing@{slug}.example"
    user = User.objects.filter(email=f"rep@{slug}.example").first()
    if user is None:
        user = User.objects.create_user(
            email=f"rep@{slug}.example", password=password, full_name=f"{name} representative"
        )
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is not None:
        return organisation
    organisation = Organisation.objects.create(
        slug=slug,
        **{
            "legal_name": name,
            "corporate_group": demo_group(name),
            "representative": user,
            "billing_contact_name": f"{name} accounts payable",
            "billing_contact_email": email,
            "billing_address": f"{name}\n100 Market Street\nSan Francisco, CA 94105\nUSA",
            "tax_id": f"US-{secrets.randbelow(90) + 10}-{secrets.randbelow(9_000_000) + 1_000_000}",
        },
    )
    return organisation


def _sponsor(
    name: str, class_code: str, joined: dt.datetime, password: str | None
) -> tuple[Membership, Invoice]:
    """A sponsor that applied at ``joined`` and paid its first invoice that day."""
    organisation = _organisation(name, password)
    with clock.travel(joined):
        membership = Membership.objects.create(
            organisation=organisation, class_code=class_code, in_directory=True
        )
        first = invoice_issue(membership=membership)
        _pay(first)
    membership.refresh_from_db()
    return membership, first


def _pay(invoice: Invoice, *, amount: int | None = None) -> None:
    payment_record(
        invoice=invoice,
        received=Received(
            method=PaymentMethod.CHECKOUT,
            amount_minor=invoice.amount_minor if amount is None else amount,
            currency=invoice.currency,
            stripe_payment_intent_id=f"pi_demo_{secrets.token_hex(8)}",
            stripe_checkout_session_id=f"cs_demo_{secrets.token_hex(8)}",
        ),
    )


def _invoice_existing_sponsors(now: dt.datetime) -> None:
    """Bill the organisations the members demo made, as the daily job would have.

    Renewals are issued the rule set's days before expiry (so the sponsor persona's
    organisation has an open invoice to pay); lapsed sponsors get a new-term invoice.
    """
    issue_days = dt.timedelta(days=billing_rules(rules_in_force(at=now)).invoice_issue_days_before_expiry)
    paid_codes = set(
        MembershipClass.objects.filter(rule_set=rules_in_force(at=now), annual_dues_minor__gt=0).values_list(
            "code", flat=True
        )
    )
    existing = Membership.objects.filter(
        organisation__isnull=False, class_code__in=paid_codes, invoices__isnull=True
    )
    for membership in existing.order_by("pk"):
        if (
            membership.state in ("active", "grace")
            and membership.expires_at
            and membership.expires_at - issue_days <= now
        ):
            when = membership.expires_at - issue_days
        elif membership.state == "lapsed":
            when = now - dt.timedelta(days=5)
        else:
            continue
        with clock.travel(when):
            invoice_issue(membership=membership)


def _slug(membership: Membership) -> str:
    return membership.organisation.slug if membership.organisation else ""


def seed_billing(*, stdout: TextIO, password: str | None = None) -> dict[str, Any]:
    """Create the billing demo (idempotent: does nothing when invoices exist).

    ``password`` (optional) lets the demo sign in as each sponsor's representative,
    ``rep@<slug>.example``. Returns the organisations' slugs by role in the demo.
    """
    if Invoice.objects.exists():
        stdout.write("billing: invoices exist, demo not seeded\n")
        return {}
    now = clock.now()
    days = dt.timedelta(days=1)

    # Paid by card, active, renewal not yet due.
    paid, _first = _sponsor("Lumen Devices", "platinum", now - 200 * days, password)

    # Paid in kind (staff time accepted by the board).
    contoso = _organisation("Contoso Cloud", password)
    with clock.travel(now - 100 * days):
        membership = Membership.objects.create(organisation=contoso, class_code="gold", in_directory=True)
        accepted_by = Decision.objects.filter(title=IN_KIND_DECISION, outcome=Outcome.ADOPTED).first()
        invoice = invoice_issue(membership=membership)
        if accepted_by is not None:
            in_kind_record(
                invoice=invoice,
                actor=None,
                description="Two release engineers, half time, for twelve months",
                decision=accepted_by.number,
            )

    # In grace: the year ended ten days ago, the renewal invoice is open.
    grace, _first = _sponsor("Fabrikam Hardware", "ruby", now - 375 * days, password)
    with clock.travel(now - 40 * days):
        invoice_issue(membership=grace)

    # Overdue: the year ended 45 days ago, grace is over, the membership lapsed.
    overdue, _first = _sponsor("Tailspin Toys", "silver", now - 410 * days, password)
    with clock.travel(now - 75 * days):
        invoice_issue(membership=overdue)

    # Void (reissued), and the new invoice open and due in twenty days.
    litware, _first = _sponsor("Litware Inc", "silver", now - 345 * days, password)
    with clock.travel(now - 12 * days):
        invoice_close(invoice=invoice_issue(membership=litware), status=InvoiceStatus.VOID)
    with clock.travel(now - 10 * days):
        invoice_issue(membership=litware)

    # Uncollectible: written off after the sponsor stopped answering.
    adventure, _first = _sponsor("Adventure Works", "gold", now - 420 * days, password)
    with clock.travel(now - 85 * days):
        written_off = invoice_issue(membership=adventure)
    with clock.travel(now - 20 * days):
        invoice_close(invoice=written_off, status=InvoiceStatus.UNCOLLECTIBLE)

    # Refunded: paid, then refunded in full, so the membership lapsed.
    wingtip, first = _sponsor("Wingtip Partners", "ruby", now - 60 * days, password)
    with clock.travel(now - 5 * days):
        payment = first.payments.get()
        payment_refund_record(
            stripe_payment_intent_id=str(payment.stripe_payment_intent_id),
            refunded_minor=payment.amount_minor,
            fully_refunded=True,
        )

    # For the treasurer: a payment whose amount does not match its invoice.
    with clock.travel(now - 3 * days):
        mismatched = Invoice.objects.filter(membership=litware, status=InvoiceStatus.OPEN).get()
        _pay(mismatched, amount=mismatched.amount_minor - 50_00)

    _invoice_existing_sponsors(now)
    membership_apply_schedule(at=now)
    counts = {s: Invoice.objects.filter(status=s).count() for s in InvoiceStatus.values}
    stdout.write(f"billing: {Invoice.objects.count()} invoices {counts}\n")
    return {
        "paid": _slug(paid),
        "in_kind": contoso.slug,
        "grace": _slug(grace),
        "overdue": _slug(overdue),
        "void_and_open": _slug(litware),
        "uncollectible": _slug(adventure),
        "refunded": _slug(wingtip),
    }
