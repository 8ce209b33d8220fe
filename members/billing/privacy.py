"""Billing's part of the members' data registry (core/privacy.py), registered in ``BillingConfig.ready()``.

Invoices belong to organisations; a person sees those of the organisations they are the
representative or the billing contact of. They are exported, and kept on erasure for the
period tax law requires (``retention_invoice_years`` of the rule set): they name the
organisation billed and its billing address, not a person. Card and bank details never
reach Charter (Stripe holds them).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.account_data import (
    addressed_to,
    mentioning,
    personal_needles,
    scrub_json,
    scrub_text,
    user_addresses,
)
from core.models import RuleSet
from core.privacy import (
    ORDER_BILLING,
    Collected,
    ErasureContext,
    Kept,
    PrivacyPart,
    RetentionRule,
    register_privacy_part,
    register_retention_rule,
)
from members.billing.models import Invoice, StripeEvent


def invoices_for(user: Any, addresses: frozenset[str]) -> Any:
    """Invoices of the organisations ``user`` represents or is the billing contact of."""
    contact = Q(organisation__representative=user) | addressed_to(
        addresses, "organisation__billing_contact_email"
    )
    return Invoice.objects.filter(contact).select_related("organisation").order_by("issued_on", "number")


def export_billing(*, user: Any) -> dict[str, Any]:
    return {
        "invoices_you_are_the_contact_for": [
            {
                "number": i.number,
                "organisation": i.organisation.legal_name,
                "class": i.class_name,
                "amount_minor": i.amount_minor,
                "currency": i.currency,
                "issued_on": i.issued_on,
                "due_at": i.due_at,
                "status": i.status,
                "paid_at": i.paid_at,
                "bill_to": i.bill_to_name,
                "billing_address": i.billing_address,
                "po_number": i.po_number,
                "tax_id": i.tax_id,
            }
            for i in invoices_for(user, user_addresses(user))
        ]
    }


def erase_billing(context: ErasureContext) -> dict[str, int]:
    """Invoices name organisations and are kept as tax law requires. Stripe's webhook payloads
    (kept for replays and the treasurer's log) may carry the person's address or name, as a
    checkout's customer details do: those strings say the pseudonym instead."""
    needles = personal_needles(context)
    scrubbed = 0
    for event in StripeEvent.objects.filter(mentioning(needles, "payload")).select_for_update():
        event.payload = scrub_json(event.payload, needles=needles, pseudonym=context.pseudonym)
        event.last_error = scrub_text(event.last_error, needles=needles, pseudonym=context.pseudonym)
        event.save(update_fields=["payload", "last_error"])
        scrubbed += 1
    return {
        "invoices_kept": invoices_for(context.user, context.addresses).count(),
        "stripe_events_scrubbed": scrubbed,
    }


def years_after_issue(rules: RuleSet) -> str:
    return _("%(n)s years after issue") % {"n": rules.retention_invoice_years}


def kept_billing(rules: RuleSet) -> list[Kept]:
    return [
        Kept(
            _("Invoices and payments of organisations you were the contact for, for %(period)s")
            % {"period": years_after_issue(rules)},
            gettext_lazy(
                "Tax law requires the foundation to keep its invoices; they name the organisation "
                "billed, not you."
            ),
        )
    ]


INVOICES = RetentionRule(
    key="invoices",
    what=gettext_lazy("Dues invoices and payments"),
    period=lambda rules: _("at least %(period)s") % {"period": years_after_issue(rules)},
    then=gettext_lazy("Kept as tax law requires, even after an erasure: they name the organisation billed."),
    order=50,
)

PART = PrivacyPart(
    key="billing",
    label=gettext_lazy("Dues"),
    order=ORDER_BILLING,
    position=30,
    collected=(
        Collected(
            gettext_lazy(
                "Dues invoices and payments of the organisations you pay for: amounts, billing address, "
                "purchase-order number, tax id (card and bank details stay with Stripe)"
            ),
            gettext_lazy("Sponsors pay dues; paid dues keep the right to vote."),
            gettext_lazy(
                "The organisation's representative, alternate, administrators and billing contact; the treasurer."
            ),
        ),
    ),
    export=export_billing,
    erase=erase_billing,
    kept=kept_billing,
)


def register() -> None:
    register_privacy_part(PART)
    register_retention_rule(INVOICES)
