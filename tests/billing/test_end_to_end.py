"""A sponsor in grace pays through the fake Checkout page; the webhook arrives over HTTP;
the job runs; the dashboard shows the year paid and the vote restored."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import requests
from django.test import Client

from members.billing.fakestripe import FakeStripe
from members.billing.models import InvoiceStatus
from members.billing.services.invoices import invoice_issue
from members.rights import voting_rights
from members.services.transitions import membership_apply_schedule
from tests.billing.conftest import WEBHOOK_PATH, WEBHOOK_SECRET, app_clock_seconds, make_sponsor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _form_action(page: str, label: str) -> str:
    for action, button in re.findall(
        r'<form method="post" action="([^"]+)"><button type="submit">([^<]+)</button>', page
    ):
        if html.unescape(button) == label:
            return html.unescape(action)
    raise AssertionError(f"no {label!r} button")


def test_sponsor_pays_an_open_invoice_and_regains_voting_rights(
    live_server, stripe_settings, clock, run_jobs
):
    sponsor = make_sponsor(class_code="gold", start=dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC))
    clock.set("2026-07-05T09:00:00+00:00")  # four days past the due date
    membership_apply_schedule()
    invoice = invoice_issue(membership=sponsor) if not sponsor.invoices.exists() else sponsor.invoices.get()
    assert not voting_rights(subject=sponsor).eligible

    with FakeStripe(
        webhook_url=f"{live_server.url}{WEBHOOK_PATH}",
        webhook_secret=WEBHOOK_SECRET,
        api_key="sk_test_charter",
        clock=app_clock_seconds,
    ) as fake:
        stripe_settings.STRIPE_API_BASE = fake.url
        django_client = Client()
        django_client.force_login(sponsor.organisation.representative)
        browser = requests.Session()
        browser.cookies.set("sessionid", django_client.cookies["sessionid"].value)
        dashboard = f"{live_server.url}/billing/org/{sponsor.organisation.slug}/"

        page = browser.get(dashboard)
        assert page.status_code == 200 and invoice.number in page.text
        token = CSRF.search(page.text).group(1)
        to_stripe = browser.post(
            f"{dashboard}invoices/{invoice.number}/checkout/",
            data={"csrfmiddlewaretoken": token},
            allow_redirects=False,
        )
        assert to_stripe.status_code == 303 and to_stripe.headers["Location"].startswith(fake.url)

        checkout = browser.get(to_stripe.headers["Location"])
        assert "Pay" in checkout.text and "Cancel" in checkout.text
        back = browser.post(fake.url + _form_action(checkout.text, "Pay"), allow_redirects=False)
        assert back.status_code == 303 and back.headers["Location"].startswith(dashboard)
        assert {status for _event, status in fake.deliveries} == {200}

        run_jobs()
        landing = browser.get(back.headers["Location"])

    assert f'data-invoice-status="{invoice.number}">Paid' in landing.text
    assert 'id="voting-rights">Votes (weight' in landing.text
    invoice.refresh_from_db()
    sponsor.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert sponsor.expires_at == dt.datetime(2027, 7, 1, 12, tzinfo=dt.UTC)
    assert voting_rights(subject=sponsor).weight == 15
