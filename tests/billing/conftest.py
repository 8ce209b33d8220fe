"""Billing fixtures: a fake Stripe on loopback, a sponsor, and webhook delivery in-process.

The fake signs events with the application's clock, so tests that move time still
verify. In these (non-live) tests events are delivered through Django's test client,
in the test's own thread and transaction; the end-to-end test uses the live server.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from core import clock as core_clock
from members.billing.fakestripe import FakeStripe
from members.billing.models import Invoice
from members.billing.services.invoices import checkout_start, invoice_issue
from members.models import Membership
from tests.factories import OrganisationFactory, UserFactory, make_member

WEBHOOK_SECRET = "whsec_test_charter_billing"
WEBHOOK_PATH = "/billing/stripe/webhook/"


@pytest.fixture(autouse=True)
def _reference_rules(request: pytest.FixtureRequest) -> None:
    """The shipped rule set and classes, even after another module's transactional test
    flushed the data migrations (a test run in any order must not depend on that)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from core.models import RuleSet

    if not RuleSet.objects.exists():
        importlib.import_module("governance.migrations.0002_reference_rule_set").create_preset(apps, None)
        importlib.import_module("members.migrations.0002_reference_classes").create_classes(apps, None)


def app_clock_seconds() -> float:
    return core_clock.now().timestamp()


@pytest.fixture
def stripe_settings(settings: Any) -> Any:
    settings.STRIPE_SECRET_KEY = "sk_test_charter"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def fake_stripe(stripe_settings: Any, clock: Any) -> Iterator[FakeStripe]:
    webhook_client = Client()

    def transport(body: bytes, header: str) -> int:
        response = webhook_client.post(
            WEBHOOK_PATH, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        return response.status_code

    with FakeStripe(
        webhook_secret=WEBHOOK_SECRET,
        api_key="sk_test_charter",
        clock=app_clock_seconds,
        auto_deliver=False,
        transport=transport,
    ) as fake:
        stripe_settings.STRIPE_API_BASE = fake.url
        yield fake


@pytest.fixture
def deliver(fake_stripe: FakeStripe, run_jobs: Any) -> Any:
    """Deliver the fake's queued events (optionally reordered or duplicated) and run the jobs."""

    def _deliver(**kwargs: Any) -> list[int]:
        statuses = fake_stripe.deliver(**kwargs)
        run_jobs()
        return statuses

    return _deliver


def make_sponsor(*, class_code: str = "silver", start: dt.datetime | None = None, **org: Any) -> Membership:
    representative = UserFactory()
    organisation = OrganisationFactory(
        representative=representative,
        billing_contact_email=org.pop("billing_contact_email", "billing@example.com"),
        billing_address=org.pop("billing_address", "1 Main St\nSpringfield"),
        tax_id=org.pop("tax_id", "US-12-3456789"),
        **org,
    )
    return make_member(organisation=organisation, class_code=class_code, start=start or core_clock.now())


@pytest.fixture
def sponsor(clock: Any) -> Membership:
    """A Silver sponsor whose year ends on 2026-07-01 (the clock is at 2026-06-01)."""
    return make_sponsor(start=dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC))


@pytest.fixture
def invoice(sponsor: Membership) -> Invoice:
    return invoice_issue(membership=sponsor)


def open_checkout(invoice: Invoice) -> str:
    """Start Checkout for ``invoice`` as the sponsor would; returns the session id."""
    url = checkout_start(
        invoice=invoice,
        actor=invoice.organisation.representative,
        success_url="http://testserver/ok",
        cancel_url="http://testserver/cancel",
    )
    return url.rsplit("/", 1)[-1]


def pay_by_checkout(fake: FakeStripe, invoice: Invoice, **kwargs: Any) -> dict[str, Any]:
    return fake.checkout_pay(open_checkout(invoice), **kwargs)
