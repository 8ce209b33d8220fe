"""Starting payments: Checkout, "invoice me", the portal, and Stripe being unreachable."""

from __future__ import annotations

import socket

import pytest
from django.db import transaction

from core.errors import Conflict, Unavailable
from core.models import AuditEntry
from members.billing.models import BillingAccount, Invoice
from members.billing.services.invoices import (
    billing_account_ensure,
    checkout_start,
    invoice_send_via_stripe,
    portal_session_create,
)
from members.billing.services.payments import in_kind_record
from members.billing.stripe_client import stripe_call
from tests.billing.conftest import open_checkout
from tests.factories import register_decision

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_checkout_session_carries_our_invoice_and_the_exact_amount(fake_stripe, invoice):
    session = fake_stripe.objects[open_checkout(invoice)]
    assert session["amount_total"] == invoice.amount_minor and session["currency"] == "usd"
    assert session["metadata"]["charter_invoice_id"] == str(invoice.pk)
    assert session["client_reference_id"] == invoice.number
    invoice.refresh_from_db()
    assert invoice.stripe_checkout_session_id == session["id"]


def test_requests_use_the_pinned_api_version(fake_stripe, invoice, settings):
    open_checkout(invoice)
    assert {r["version"] for r in fake_stripe.requests} == {settings.STRIPE_API_VERSION}


def test_one_stripe_customer_per_organisation(fake_stripe, invoice):
    open_checkout(invoice)
    open_checkout(invoice)
    customers = [o for o in fake_stripe.objects.values() if o["object"] == "customer"]
    assert len(customers) == 1
    assert BillingAccount.objects.get().stripe_customer_id == customers[0]["id"]


def test_stripe_unreachable_gives_a_clear_message_and_writes_nothing(stripe_settings, invoice):
    stripe_settings.STRIPE_API_BASE = f"http://127.0.0.1:{_closed_port()}"
    audit_before = AuditEntry.objects.count()
    with pytest.raises(Unavailable) as exc:
        checkout_start(
            invoice=invoice,
            actor=invoice.organisation.representative,
            success_url="http://x/ok",
            cancel_url="http://x/no",
        )
    assert exc.value.code == "stripe_unavailable"
    assert "could not be reached" in exc.value.message
    assert not BillingAccount.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).stripe_checkout_session_id == ""
    assert AuditEntry.objects.count() == audit_before


def test_stripe_failing_after_the_customer_was_made_writes_only_the_customer(fake_stripe, invoice):
    billing_account_ensure(organisation=invoice.organisation)
    fake_stripe.state.fail_next_requests = 1
    with pytest.raises(Unavailable):
        open_checkout(invoice)
    assert Invoice.objects.get(pk=invoice.pk).stripe_checkout_session_id == ""


def test_stripe_is_never_called_inside_a_transaction(fake_stripe):
    with pytest.raises(RuntimeError), transaction.atomic():
        stripe_call(lambda client: client.v1.customers.create(params={"name": "x"}))
    assert fake_stripe.requests == []


def test_invoice_me_finalises_and_sends_a_stripe_invoice(fake_stripe, invoice):
    url = invoice_send_via_stripe(invoice=invoice, actor=invoice.organisation.representative)
    invoice.refresh_from_db()
    remote = fake_stripe.objects[invoice.stripe_invoice_id]
    assert url == invoice.hosted_invoice_url == remote["hosted_invoice_url"]
    assert remote["status"] == "open" and remote["amount_due"] == invoice.amount_minor
    assert remote["collection_method"] == "send_invoice"
    assert remote["metadata"]["charter_invoice_number"] == invoice.number
    assert "not deductible" in remote["footer"]


def test_invoice_me_twice_reuses_the_stripe_invoice(fake_stripe, invoice):
    first = invoice_send_via_stripe(invoice=invoice, actor=invoice.organisation.representative)
    second = invoice_send_via_stripe(invoice=invoice, actor=invoice.organisation.representative)
    assert first == second
    assert len([o for o in fake_stripe.objects.values() if o["object"] == "invoice"]) == 1


def test_a_paid_invoice_cannot_be_paid_again_through_checkout(fake_stripe, invoice):
    in_kind_record(
        invoice=invoice, actor=None, description="Build servers", decision=register_decision().number
    )
    with pytest.raises(Conflict) as exc:
        open_checkout(invoice)
    assert exc.value.code == "invoice_not_payable"


def test_portal_session_returns_to_the_dashboard(fake_stripe, invoice):
    url = portal_session_create(
        organisation=invoice.organisation,
        actor=invoice.organisation.representative,
        return_url="http://testserver/billing/",
    )
    portal = fake_stripe.objects[url.rsplit("/", 1)[-1]]
    assert portal["return_url"] == "http://testserver/billing/"
