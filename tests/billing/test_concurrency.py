"""Two workers processing the two events about one payment at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from members.billing.models import Payment, StripeEvent
from members.billing.services.webhooks import stripe_event_process
from members.models import MembershipEvent
from tests.billing.conftest import pay_by_checkout

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_concurrent_events_about_one_payment_renew_once(fake_stripe, invoice):
    pay_by_checkout(fake_stripe, invoice)
    fake_stripe.deliver()
    ids = list(
        StripeEvent.objects.filter(type__in=["invoice.paid", "checkout.session.completed"]).values_list(
            "event_id", flat=True
        )
    )
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def work(event_id: str) -> None:
        try:
            barrier.wait()
            stripe_event_process(event_id=event_id)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert Payment.objects.count() == 1
    assert MembershipEvent.objects.filter(kind="dues_paid").count() == 1
