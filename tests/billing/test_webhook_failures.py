"""Stripe events whose processing keeps failing: bounded attempts, then failed and shown to
the treasurer, who may retry; a retried or replayed event still takes effect once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from core.audit import actor_ref
from core.errors import Conflict, NotAllowed
from core.models import AuditEntry, OutboxMessage
from members.billing.models import InvoiceStatus, Payment, StripeEvent
from members.billing.services import webhooks
from members.billing.services.webhooks import (
    STRIPE_EVENT_MAX_ATTEMPTS,
    STRIPE_EVENT_MAX_FAILURES,
    stripe_event_process,
    stripe_event_retry,
    stripe_events_requeue_stale,
)
from members.billing.stripe_client import StripeUnreachable
from members.models import MembershipEvent
from tests.auth import sign_in
from tests.billing.conftest import pay_by_checkout
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

Outcome = StripeEvent.Outcome
YEAR_END = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)


def _person(client, role: str):
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    RoleFactory(user=user, role=role)
    sign_in(client, user)
    return user


def _checkout_event(fake_stripe, invoice, **obj: Any) -> dict[str, Any]:
    return fake_stripe.emit(
        "checkout.session.completed",
        {
            "id": "cs_test_bad",
            "object": "checkout.session",
            "amount_total": invoice.amount_minor,
            "currency": invoice.currency.lower(),
            "payment_intent": "pi_test_bad",
            "payment_status": "paid",
            "metadata": {"charter_invoice_id": str(invoice.pk)},
            **obj,
        },
    )


def _later(clock, run_jobs, times: int) -> None:
    """``times`` runs of the periodic requeue, 15 minutes apart, each followed by the jobs."""
    for _ in range(times):
        clock.advance(minutes=15)
        stripe_events_requeue_stale()
        run_jobs()


def _event(event: dict[str, Any]) -> StripeEvent:
    return StripeEvent.objects.get(event_id=event["id"])


def test_negative_amount_fails_after_bounded_attempts(fake_stripe, invoice, deliver, clock, run_jobs):
    event = _checkout_event(fake_stripe, invoice, amount_total=-250000)
    deliver()
    stored = _event(event)
    assert (
        stored.outcome == Outcome.PENDING and stored.failures == 1 and "IntegrityError" in stored.last_error
    )
    _later(clock, run_jobs, STRIPE_EVENT_MAX_FAILURES - 2)
    assert _event(event).outcome == Outcome.PENDING  # still within the bound
    _later(clock, run_jobs, 1)
    stored = _event(event)
    assert stored.outcome == Outcome.FAILED and stored.failures == STRIPE_EVENT_MAX_FAILURES
    assert stored.failed_at == clock.now() and "IntegrityError" in stored.last_error
    assert AuditEntry.objects.filter(action="billing.stripe_event_failed").count() == 1
    # Given up: the periodic requeue no longer queues it, and nothing was paid.
    clock.advance(minutes=15)
    assert stripe_events_requeue_stale() == 0
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN


def test_event_missing_its_object_id_fails_with_its_error(fake_stripe, invoice, deliver, clock, run_jobs):
    event = _checkout_event(fake_stripe, invoice)
    del event["data"]["object"]["id"]
    deliver()
    _later(clock, run_jobs, STRIPE_EVENT_MAX_FAILURES - 1)
    stored = _event(event)
    assert stored.outcome == Outcome.FAILED and stored.last_error.startswith("KeyError")


def test_stripe_unreachable_is_not_counted_as_a_failure(fake_stripe, invoice, deliver, monkeypatch):
    event = _checkout_event(fake_stripe, invoice)
    fake_stripe.deliver()

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise StripeUnreachable("no route to Stripe")

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", unreachable)
    for _ in range(STRIPE_EVENT_MAX_FAILURES + 1):
        with pytest.raises(StripeUnreachable):
            stripe_event_process(event_id=event["id"])
    stored = _event(event)
    assert stored.outcome == Outcome.PENDING and stored.failures == 0


def test_event_still_unfinished_after_the_attempt_bound_is_marked_failed(fake_stripe, deliver, clock):
    refund = fake_stripe.emit(
        "charge.refunded",
        {"id": "ch_x", "object": "charge", "payment_intent": "pi_never", "amount": 1, "amount_refunded": 1},
    )
    deliver()
    assert _event(refund).outcome == Outcome.DEFERRED
    StripeEvent.objects.filter(event_id=refund["id"]).update(attempts=STRIPE_EVENT_MAX_ATTEMPTS)
    clock.advance(minutes=15)
    assert stripe_events_requeue_stale() == 0
    stored = _event(refund)
    assert stored.outcome == Outcome.FAILED and "still deferred" in stored.last_error


def test_a_replayed_failed_event_changes_nothing(fake_stripe, invoice, deliver, clock, run_jobs):
    event = _checkout_event(fake_stripe, invoice, amount_total=-1)
    deliver()
    _later(clock, run_jobs, STRIPE_EVENT_MAX_FAILURES - 1)
    before = _event(event)
    outbox = OutboxMessage.objects.count()
    assert fake_stripe.send(event) == 200  # Stripe delivers it again
    run_jobs()
    after = _event(event)
    assert StripeEvent.objects.count() == 1 and OutboxMessage.objects.count() == outbox
    assert (after.outcome, after.attempts, after.failures) == (
        Outcome.FAILED,
        before.attempts,
        before.failures,
    )


@pytest.fixture
def failed(fake_stripe, invoice, deliver, clock, run_jobs, monkeypatch):
    """A good payment event that failed five times (a bug since fixed): the bug is removed
    when the fixture returns the event."""

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("bug in payment_record")

    pay_by_checkout(fake_stripe, invoice)
    fake_stripe.outbox[:] = [e for e in fake_stripe.outbox if e["type"] == "checkout.session.completed"]
    with monkeypatch.context() as patch:
        patch.setattr(webhooks, "payment_record", broken)
        deliver()
        _later(clock, run_jobs, STRIPE_EVENT_MAX_FAILURES - 1)
    event = StripeEvent.objects.get()
    assert event.outcome == Outcome.FAILED and "bug in payment_record" in event.last_error
    return event


def test_the_treasurers_page_shows_failed_events(client, failed):
    _person(client, "treasurer")
    text = client.get(reverse("billing_manage:overview")).content.decode()
    assert failed.event_id in text and "RuntimeError: bug in payment_record" in text
    assert reverse("billing_manage:retry_event", kwargs={"event_id": failed.event_id}) in text


def test_staff_see_failed_events_without_a_retry_button(client, failed):
    _person(client, "staff")
    text = client.get(reverse("billing_manage:overview")).content.decode()
    assert failed.event_id in text
    assert reverse("billing_manage:retry_event", kwargs={"event_id": failed.event_id}) not in text


def test_retry_processes_the_event_once_and_is_audited(client, failed, fake_stripe, invoice, run_jobs):
    treasurer = _person(client, "treasurer")
    url = reverse("billing_manage:retry_event", kwargs={"event_id": failed.event_id})
    assert client.post(url).status_code == 302
    failed.refresh_from_db()
    assert failed.outcome == Outcome.PENDING and failed.failures == 0 and failed.failed_at is None
    entry = AuditEntry.objects.get(action="billing.stripe_event_retried")
    assert entry.data["failures"] == STRIPE_EVENT_MAX_FAILURES and entry.actor_ref == actor_ref(treasurer)
    run_jobs()
    failed.refresh_from_db()
    assert failed.outcome == Outcome.PROCESSED
    invoice.membership.refresh_from_db()
    assert invoice.membership.expires_at == YEAR_END + dt.timedelta(days=365)
    # Stripe replays it, and the treasurer presses the button again: nothing happens twice.
    assert fake_stripe.send(failed.payload) == 200
    client.post(url)
    run_jobs()
    assert Payment.objects.count() == 1
    assert MembershipEvent.objects.filter(kind="dues_paid").count() == 1
    assert AuditEntry.objects.filter(action="billing.stripe_event_retried").count() == 1


def test_retry_of_an_event_that_has_not_failed_is_refused(failed, run_jobs):
    treasurer = UserFactory()
    RoleFactory(user=treasurer, role="treasurer")
    stripe_event_retry(event=failed, actor=treasurer)
    with pytest.raises(Conflict):
        stripe_event_retry(event=failed, actor=treasurer)


@pytest.mark.parametrize("role", ["staff", "membership_committee"])
def test_only_the_treasurer_retries(client, failed, role):
    _person(client, role)
    url = reverse("billing_manage:retry_event", kwargs={"event_id": failed.event_id})
    assert client.post(url).status_code == 403
    failed.refresh_from_db()
    assert failed.outcome == Outcome.FAILED
    assert not AuditEntry.objects.filter(action="billing.stripe_event_retried").exists()


def test_the_service_refuses_someone_other_than_the_treasurer(failed):
    staff = UserFactory()
    RoleFactory(user=staff, role="staff")
    with pytest.raises(NotAllowed):
        stripe_event_retry(event=failed, actor=staff)


def test_retry_is_post_only(client, failed):
    _person(client, "treasurer")
    url = reverse("billing_manage:retry_event", kwargs={"event_id": failed.event_id})
    assert client.get(url).status_code == 405


def test_retry_of_an_unknown_event_is_a_404(client, fake_stripe):
    _person(client, "treasurer")
    url = reverse("billing_manage:retry_event", kwargs={"event_id": "evt_nope"})
    assert client.post(url).status_code == 404
