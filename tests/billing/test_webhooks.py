"""Stripe webhooks: signatures, storage once, processing every handled event type."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from core.models import AuditEntry, OutgoingEmail
from members.billing.models import BillingFlag, Invoice, InvoiceStatus, Payment, PaymentOutcome, StripeEvent
from members.billing.services.invoices import invoice_send_via_stripe
from members.models import MembershipEvent
from members.rights import voting_rights
from tests.billing.conftest import WEBHOOK_PATH, make_sponsor, pay_by_checkout

pytestmark = pytest.mark.django_db

YEAR_END = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)


def _event(fake, event_type="checkout.session.completed", obj=None):
    return fake.emit(event_type, obj or {"id": "cs_test_x", "object": "checkout.session", "metadata": {}})


# --- Signatures -----------------------------------------------------------------------------


def test_bad_signature_is_refused_and_nothing_is_stored(fake_stripe, client):
    event = _event(fake_stripe)
    fake_stripe.outbox.clear()
    status = fake_stripe.send(event, secret="whsec_someone_else")
    assert status == 400
    assert not StripeEvent.objects.exists()


def test_missing_signature_is_refused(fake_stripe, client):
    response = client.post(WEBHOOK_PATH, data=b"{}", content_type="application/json")
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_tampered_payload_is_refused(fake_stripe, client):
    event = _event(fake_stripe)
    captured = {}
    fake_stripe.state.transport = lambda body, header: captured.update(body=body, header=header) or 200
    fake_stripe.send(event)
    forged = captured["body"].replace(b"cs_test_x", b"cs_test_y")
    response = client.post(
        WEBHOOK_PATH, data=forged, content_type="application/json", HTTP_STRIPE_SIGNATURE=captured["header"]
    )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_signature_older_than_tolerance_by_our_clock_is_refused(fake_stripe, clock):
    event = _event(fake_stripe)
    stale = int(clock.now().timestamp()) - 301
    assert fake_stripe.send(event, timestamp=stale) == 400
    assert not StripeEvent.objects.exists()


def test_signature_made_with_the_moved_clock_verifies(fake_stripe, clock):
    clock.set("2031-03-01T00:00:00+00:00")  # years away from the wall clock
    event = _event(fake_stripe, "customer.created", {"id": "cus_1", "object": "customer"})
    assert fake_stripe.send(event) == 200
    assert StripeEvent.objects.filter(event_id=event["id"]).exists()


# --- Storage once, replay, unknown types -------------------------------------------------------


def test_same_event_twenty_times_has_one_effect(fake_stripe, invoice, run_jobs):
    pay_by_checkout(fake_stripe, invoice)
    completed = next(e for e in fake_stripe.outbox if e["type"] == "checkout.session.completed")
    fake_stripe.outbox.clear()
    statuses = [fake_stripe.send(completed) for _ in range(20)]
    run_jobs()
    assert statuses == [200] * 20
    assert StripeEvent.objects.filter(event_id=completed["id"]).count() == 1
    assert Payment.objects.count() == 1
    assert MembershipEvent.objects.filter(kind="dues_paid").count() == 1
    assert AuditEntry.objects.filter(action="billing.payment_recorded").count() == 1
    invoice.membership.refresh_from_db()
    assert invoice.membership.expires_at == YEAR_END + dt.timedelta(days=365)


def test_every_event_duplicated_still_pays_one_year(fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice)
    deliver(duplicate=3)
    invoice.membership.refresh_from_db()
    assert invoice.membership.expires_at == YEAR_END + dt.timedelta(days=365)
    assert Payment.objects.count() == 1


def test_processing_job_twice_changes_nothing(fake_stripe, invoice, deliver):
    from members.billing.services.webhooks import stripe_event_process

    pay_by_checkout(fake_stripe, invoice)
    deliver()
    for event in StripeEvent.objects.all():
        stripe_event_process(event_id=event.event_id)
    assert Payment.objects.count() == 1
    assert MembershipEvent.objects.filter(kind="dues_paid").count() == 1


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_unknown_event_type_is_acknowledged_and_logged(fake_stripe, deliver):
    _event(fake_stripe, "customer.subscription.trial_will_end", {"id": "sub_1", "object": "subscription"})
    logger = logging.getLogger("members.billing.services.webhooks")
    records = _Records()
    logger.addHandler(records)
    try:
        assert deliver() == [200]
    finally:
        logger.removeHandler(records)
    event = StripeEvent.objects.get()
    assert event.outcome == StripeEvent.Outcome.IGNORED
    assert any("customer.subscription.trial_will_end" in m for m in records.messages)


def test_webhook_stores_before_processing(fake_stripe, invoice):
    pay_by_checkout(fake_stripe, invoice)
    fake_stripe.deliver()  # jobs not run yet
    assert StripeEvent.objects.filter(outcome=StripeEvent.Outcome.PENDING).count() == 5
    assert not Payment.objects.exists()


# --- checkout.session.completed and invoice.paid, in any order -----------------------------------


def test_checkout_completed_pays_the_invoice_and_renews_from_the_previous_expiry(
    fake_stripe, invoice, deliver
):
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    invoice.refresh_from_db()
    invoice.membership.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.membership.expires_at == YEAR_END + dt.timedelta(days=365)
    payment = Payment.objects.get()
    assert payment.outcome == PaymentOutcome.APPLIED and payment.stripe_payment_intent_id.startswith("pi_")
    assert payment.stripe_invoice_id.startswith("in_")  # the invoice Checkout created


def test_payment_receipt_is_emailed_to_the_billing_contact(fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    assert (
        OutgoingEmail.objects.filter(purpose="billing.payment_received", to="billing@example.com").count()
        == 1
    )


def test_invoice_paid_before_checkout_completed_gives_one_payment(fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice)
    types = [e["type"] for e in fake_stripe.outbox]
    assert types.index("invoice.paid") < types.index("checkout.session.completed")
    deliver()
    payment = Payment.objects.get()
    assert payment.stripe_checkout_session_id.startswith("cs_")  # completed by the later event
    assert StripeEvent.objects.filter(outcome=StripeEvent.Outcome.PROCESSED).count() == 2


def test_checkout_completed_before_invoice_paid_gives_one_payment(fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice)
    deliver(order="reverse")
    assert Payment.objects.count() == 1
    assert MembershipEvent.objects.filter(kind="dues_paid").count() == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_delivery_order_pays_one_year(fake_stripe, invoice, deliver, seed):
    pay_by_checkout(fake_stripe, invoice)
    deliver(order="shuffle", seed=seed, duplicate=2)
    invoice.membership.refresh_from_db()
    assert invoice.membership.expires_at == YEAR_END + dt.timedelta(days=365)


def test_stripe_invoice_paid_on_hosted_page_pays_the_year(fake_stripe, invoice, deliver):
    invoice_send_via_stripe(invoice=invoice, actor=invoice.organisation.representative)
    invoice.refresh_from_db()
    fake_stripe.invoice_pay(invoice.stripe_invoice_id)
    deliver()
    invoice.refresh_from_db()
    payment = Payment.objects.get()
    assert invoice.status == InvoiceStatus.PAID
    assert payment.method == "stripe_invoice"
    assert payment.stripe_payment_intent_id.startswith("pi_")  # found through invoice_payments


def test_checkout_payment_voids_the_stripe_invoice_sent_earlier(fake_stripe, invoice, deliver):
    invoice_send_via_stripe(invoice=invoice, actor=invoice.organisation.representative)
    invoice.refresh_from_db()
    pay_by_checkout(fake_stripe, invoice)
    deliver()  # payment recorded; the void job runs and Stripe emits invoice.voided
    deliver()
    assert fake_stripe.objects[invoice.stripe_invoice_id]["status"] == "void"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


# --- Failures, voids, write-offs ------------------------------------------------------------------


def test_payment_failed_tells_sponsor_and_treasurer_and_keeps_standing(fake_stripe, invoice, deliver):
    invoice_send_via_stripe(invoice=invoice, actor=invoice.organisation.representative)
    invoice.refresh_from_db()
    fake_stripe.invoice_fail(invoice.stripe_invoice_id)
    deliver()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN and "failed" in invoice.last_payment_error
    assert BillingFlag.objects.filter(kind="payment_failed", invoice=invoice).exists()
    assert OutgoingEmail.objects.filter(purpose="billing.payment_failed").count() == 1
    assert voting_rights(subject=invoice.membership).eligible


def test_invoice_voided_in_stripe_voids_ours(fake_stripe, invoice, deliver):
    invoice_send_via_stripe(invoice=invoice, actor=invoice.organisation.representative)
    invoice.refresh_from_db()
    fake_stripe.invoice_void(invoice.stripe_invoice_id)
    deliver()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert AuditEntry.objects.filter(action="billing.invoice_void").exists()


def test_invoice_marked_uncollectible_and_later_paid_still_pays_the_year(fake_stripe, invoice, deliver):
    invoice_send_via_stripe(invoice=invoice, actor=invoice.organisation.representative)
    invoice.refresh_from_db()
    fake_stripe.invoice_mark_uncollectible(invoice.stripe_invoice_id)
    deliver()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNCOLLECTIBLE
    fake_stripe.invoice_pay(invoice.stripe_invoice_id)
    deliver()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


# --- Refunds -------------------------------------------------------------------------------------


def _paid(fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    return Payment.objects.get()


def _refund(fake_stripe, payment, **params):
    import stripe

    from members.billing.stripe_client import stripe_client

    del stripe
    return stripe_client().v1.refunds.create(
        params={"payment_intent": payment.stripe_payment_intent_id, **params}
    )


def test_full_refund_of_the_current_year_lapses_the_membership(fake_stripe, invoice, deliver):
    payment = _paid(fake_stripe, invoice, deliver)
    _refund(fake_stripe, payment)
    deliver()
    invoice.refresh_from_db()
    invoice.membership.refresh_from_db()
    assert invoice.status == InvoiceStatus.REFUNDED
    assert invoice.membership.state == "lapsed"
    assert MembershipEvent.objects.filter(kind="dues_refunded").count() == 1
    assert not voting_rights(subject=invoice.membership).eligible


def test_refund_arriving_before_the_payment_waits_for_it(fake_stripe, invoice, deliver, run_jobs):
    pay_by_checkout(fake_stripe, invoice)
    payment_events = list(fake_stripe.outbox)
    fake_stripe.outbox.clear()
    intent = next(e for e in payment_events if e["type"] == "checkout.session.completed")["data"]["object"][
        "payment_intent"
    ]
    from members.billing.stripe_client import stripe_client

    stripe_client().v1.refunds.create(params={"payment_intent": intent})
    deliver()  # refund first
    assert StripeEvent.objects.get(type="charge.refunded").outcome == StripeEvent.Outcome.DEFERRED
    fake_stripe.outbox.extend(payment_events)
    deliver()
    invoice.membership.refresh_from_db()
    assert invoice.membership.state == "lapsed"
    assert StripeEvent.objects.get(type="charge.refunded").outcome == StripeEvent.Outcome.PROCESSED


def test_partial_refund_is_flagged_and_standing_unchanged(fake_stripe, invoice, deliver):
    payment = _paid(fake_stripe, invoice, deliver)
    _refund(fake_stripe, payment, amount=1000)
    deliver()
    invoice.membership.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.membership.state == "active"
    assert payment.refunded_minor == 1000
    assert BillingFlag.objects.filter(kind="partial_refund").exists()


# --- Bad input ---------------------------------------------------------------------------------------


def test_amount_mismatch_is_flagged_and_standing_unchanged(fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice, amount_total=invoice.amount_minor - 100)
    deliver()
    invoice.refresh_from_db()
    invoice.membership.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.membership.expires_at == YEAR_END
    flag = BillingFlag.objects.get(kind="amount_mismatch")
    assert flag.detail["received_minor"] == invoice.amount_minor - 100
    assert Payment.objects.get().outcome == PaymentOutcome.FLAGGED


def test_currency_mismatch_is_flagged_and_standing_unchanged(fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice, currency="eur")
    deliver()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN
    assert BillingFlag.objects.get(kind="amount_mismatch").detail["received_currency"] == "EUR"


def test_second_payment_for_the_same_year_is_a_credit(fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    # The sponsor's accounts department also pays a Checkout link opened earlier.
    second = fake_stripe.checkout_create(
        {
            "customer": Payment.objects.get().invoice.organisation.billing_account.stripe_customer_id,
            "line_items": [
                {"quantity": "1", "price_data": {"currency": "usd", "unit_amount": str(invoice.amount_minor)}}
            ],
            "metadata": {"charter_invoice_id": str(invoice.pk)},
            "invoice_creation": {"enabled": "false"},
        }
    )
    fake_stripe.checkout_pay(second["id"])
    deliver()
    invoice.membership.refresh_from_db()
    assert invoice.membership.expires_at == YEAR_END + dt.timedelta(days=365)  # one year, not two
    assert Payment.objects.filter(outcome=PaymentOutcome.CREDIT).count() == 1
    assert BillingFlag.objects.filter(kind="duplicate_payment").count() == 1


def test_refunding_a_credit_leaves_standing_alone(fake_stripe, invoice, deliver):
    test_second_payment_for_the_same_year_is_a_credit(fake_stripe, invoice, deliver)
    credit = Payment.objects.get(outcome=PaymentOutcome.CREDIT)
    _refund(fake_stripe, credit)
    deliver()
    invoice.membership.refresh_from_db()
    assert invoice.membership.state == "active"
    credit.refresh_from_db()
    assert credit.outcome == PaymentOutcome.REFUNDED


def test_payment_from_an_unknown_customer_is_flagged(fake_stripe, deliver):
    fake_stripe.emit(
        "checkout.session.completed",
        {
            "id": "cs_test_stranger",
            "object": "checkout.session",
            "amount_total": 5000,
            "currency": "usd",
            "customer": "cus_test_nobody",
            "payment_intent": "pi_test_stranger",
            "payment_status": "paid",
            "metadata": {},
        },
    )
    assert deliver() == [200]
    payment = Payment.objects.get()
    assert payment.invoice is None and payment.outcome == PaymentOutcome.FLAGGED
    assert BillingFlag.objects.filter(kind="unknown_customer").exists()
    assert not MembershipEvent.objects.filter(kind="dues_paid").exists()


def test_refund_for_an_unknown_payment_waits_without_error(fake_stripe, deliver):
    fake_stripe.emit(
        "charge.refunded",
        {
            "id": "ch_x",
            "object": "charge",
            "payment_intent": "pi_x",
            "amount": 1,
            "amount_refunded": 1,
            "refunded": True,
        },
    )
    assert deliver() == [200]
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.DEFERRED


def test_payload_that_is_not_an_event_is_refused(fake_stripe, client):
    from members.billing.fakestripe import sign_payload

    body = json.dumps({"hello": "world"}).encode()
    header = sign_payload(body, secret=fake_stripe.webhook_secret, timestamp=fake_stripe.now())
    response = client.post(
        WEBHOOK_PATH, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400


def test_invoices_of_different_sponsors_do_not_mix(fake_stripe, invoice, deliver):
    from members.billing.services.invoices import invoice_issue

    other = make_sponsor(class_code="gold")
    other_invoice = invoice_issue(membership=other)
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    assert Invoice.objects.get(pk=other_invoice.pk).status == InvoiceStatus.OPEN


def test_stripe_unreachable_while_processing_leaves_the_event_to_retry(fake_stripe, invoice, stripe_settings):
    from members.billing.services.webhooks import stripe_event_process
    from members.billing.stripe_client import StripeUnreachable

    invoice_send_via_stripe(invoice=invoice, actor=invoice.organisation.representative)
    invoice.refresh_from_db()
    fake_stripe.invoice_pay(invoice.stripe_invoice_id)
    fake_stripe.deliver()
    paid = StripeEvent.objects.get(type="invoice.paid")
    real_base = stripe_settings.STRIPE_API_BASE
    stripe_settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(StripeUnreachable):
        stripe_event_process(event_id=paid.event_id)
    assert StripeEvent.objects.get(pk=paid.pk).outcome == StripeEvent.Outcome.PENDING
    assert not Payment.objects.exists()
    stripe_settings.STRIPE_API_BASE = real_base
    assert stripe_event_process(event_id=paid.event_id) == "processed"
    assert Payment.objects.get().outcome == PaymentOutcome.APPLIED


def test_known_customer_paying_without_an_invoice_is_flagged_not_applied(fake_stripe, invoice, deliver):
    from members.billing.services.invoices import billing_account_ensure

    customer = billing_account_ensure(organisation=invoice.organisation)
    fake_stripe.emit(
        "checkout.session.completed",
        {
            "id": "cs_test_manual",
            "object": "checkout.session",
            "amount_total": 100,
            "currency": "usd",
            "customer": customer,
            "payment_intent": "pi_test_manual",
            "payment_status": "paid",
            "metadata": {},
        },
    )
    deliver()
    payment = Payment.objects.get()
    assert payment.organisation == invoice.organisation and payment.invoice is None
    assert BillingFlag.objects.get().kind == "not_applied"
    invoice.membership.refresh_from_db()
    assert invoice.membership.expires_at == YEAR_END


def test_events_left_pending_are_queued_again_later(fake_stripe, invoice, clock, run_jobs):
    from core.models import OutboxMessage
    from members.billing.services.webhooks import stripe_events_requeue_stale

    pay_by_checkout(fake_stripe, invoice)
    fake_stripe.deliver()
    OutboxMessage.objects.all().delete()  # the jobs were lost on the way to a worker
    assert stripe_events_requeue_stale() == 0  # too recent
    clock.advance(minutes=20)
    assert stripe_events_requeue_stale() == 5
    run_jobs()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_body_that_is_not_utf8_is_refused(fake_stripe, client):
    response = client.post(
        WEBHOOK_PATH, data=b"\xff\xfe", content_type="application/json", HTTP_STRIPE_SIGNATURE="t=1,v1=00"
    )
    assert response.status_code == 400


def test_invoice_me_button_redirects_to_the_hosted_invoice(client, fake_stripe, invoice):
    from django.urls import reverse

    client.force_login(invoice.organisation.representative)
    url = reverse(
        "billing:invoice_send", kwargs={"slug": invoice.organisation.slug, "number": invoice.number}
    )
    response = client.post(url)
    invoice.refresh_from_db()
    assert response.status_code == 303 and response["Location"] == invoice.hosted_invoice_url
