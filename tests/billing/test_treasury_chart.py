"""The treasurer's chart agrees with the CSV export: dues paid per month, by the date paid, in
the site's time zone; a payment on an invoice still open does not count. Every chart has axis
titles and a table view; classes are shown by name."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings

from core import clock as core_clock
from members.billing.models import InvoiceStatus
from members.billing.selectors import revenue_by_month
from members.billing.services.invoices import invoice_issue
from members.billing.services.payments import Received, in_kind_record, payment_record
from tests.auth import sign_in
from tests.billing.conftest import make_sponsor
from tests.factories import RoleFactory, UserFactory, register_decision

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _pay(invoice, at, *, amount=None, intent):
    with core_clock.travel(at):
        payment_record(
            invoice=invoice,
            received=Received(
                method="checkout",
                amount_minor=invoice.amount_minor if amount is None else amount,
                currency=invoice.currency,
                stripe_payment_intent_id=intent,
            ),
        )


def _issue(class_code, start, issued_at):
    sponsor = make_sponsor(class_code=class_code, start=start)
    with core_clock.travel(issued_at):
        return invoice_issue(membership=sponsor)


@pytest.fixture
def books(clock, settings):
    """The demo's shape: a Gold sponsor paying in kind on 2026-08-22, a card payment late on
    30 September in New York (1 October in UTC), and a short payment in November on an invoice
    that stays open."""
    settings.TIME_ZONE = "America/New_York"
    clock.set("2026-11-30T12:00:00+00:00")
    in_kind = _issue("gold", dt.datetime(2025, 9, 1, tzinfo=UTC), dt.datetime(2026, 8, 1, tzinfo=UTC))
    with core_clock.travel(dt.datetime(2026, 8, 22, 15, tzinfo=UTC)):
        in_kind_record(
            invoice=in_kind, actor=None, description="Two engineers", decision=register_decision().number
        )
    late = _issue("silver", dt.datetime(2025, 10, 15, tzinfo=UTC), dt.datetime(2026, 9, 15, tzinfo=UTC))
    _pay(late, dt.datetime(2026, 10, 1, 2, tzinfo=UTC), intent="pi_late")  # 22:00 on 30 Sept in New York
    short = _issue("ruby", dt.datetime(2025, 12, 20, tzinfo=UTC), dt.datetime(2026, 11, 10, tzinfo=UTC))
    _pay(short, dt.datetime(2026, 11, 20, tzinfo=UTC), amount=short.amount_minor - 50_00, intent="pi_short")
    short.refresh_from_db()
    assert short.status == InvoiceStatus.OPEN
    return {"in_kind": in_kind, "late": late, "short": short}


def _treasurer(client):
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    RoleFactory(user=user, role="treasurer")
    return sign_in(client, user)


def test_the_chart_is_the_csv_export_summed_by_month_paid(client, books):
    _treasurer(client)
    export = client.get("/manage/billing/export.csv").content.decode("utf-8-sig")
    zone = ZoneInfo(settings.TIME_ZONE)
    from_csv: dict[dt.date, int] = defaultdict(int)
    for row in csv.DictReader(io.StringIO(export)):
        if row["status"] == "paid":
            paid = dt.datetime.fromisoformat(row["paid_at"]).astimezone(zone)
            from_csv[paid.date().replace(day=1)] += int(row["amount_minor"])
    series = dict(revenue_by_month(months=12)["USD"])
    assert {month: value for month, value in series.items() if value} == dict(from_csv)
    assert series[dt.date(2026, 8, 1)] == books["in_kind"].amount_minor  # in kind, on 2026-08-22
    assert series[dt.date(2026, 9, 1)] == books["late"].amount_minor  # New York's September
    assert series[dt.date(2026, 10, 1)] == 0
    assert series[dt.date(2026, 11, 1)] == 0  # the short payment left its invoice open
    assert next(iter(series)) == dt.date(2025, 12, 1) and len(series) == 12


def test_the_treasury_page_has_axes_a_table_view_and_class_names(client, books):
    _treasurer(client)
    page = client.get("/manage/billing/").content.decode()
    assert "Month (date paid)" in page and "Amount (USD)" in page
    assert '<details class="chart-data">' in page and '<time datetime="2026-08">' in page
    assert "<td>Gold</td>" in page and "<td>gold</td>" not in page
