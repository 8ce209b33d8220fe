"""Who may do what with dues: the pages' guards and the services' own checks on their actor.

The service tests call the service directly, as a careless caller would: each fails if
the service stops checking its actor.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from core.errors import NotAllowed
from core.models import AuditEntry
from members.billing.models import BillingFlag, Invoice, InvoiceStatus, Payment
from members.billing.permissions import can_manage_billing, can_view_treasury
from members.billing.services.invoices import (
    checkout_start,
    invoice_issue,
    invoice_send_via_stripe,
    invoice_update_details,
    portal_session_create,
)
from members.billing.services.payments import flag_resolve, in_kind_record
from tests.auth import sign_in
from tests.billing.conftest import make_sponsor
from tests.factories import RoleFactory, UserFactory, register_decision

pytestmark = pytest.mark.django_db


def _treasurer():
    user = UserFactory()
    RoleFactory(user=user, role="treasurer")
    return user


# --- The checks ------------------------------------------------------------------------------------


def test_billing_is_managed_by_the_organisations_people_only(invoice):
    organisation = invoice.organisation
    admin = UserFactory()
    organisation.admins.add(admin)
    assert can_manage_billing(organisation.representative, organisation)
    assert can_manage_billing(UserFactory(email="BILLING@example.com"), organisation)
    assert can_manage_billing(admin, organisation)
    assert not can_manage_billing(UserFactory(), organisation)
    assert not can_manage_billing(_treasurer(), organisation)


def test_the_treasury_is_for_the_treasurer_staff_and_superusers():
    staff = UserFactory()
    RoleFactory(user=staff, role="staff")
    assert can_view_treasury(_treasurer()) and can_view_treasury(staff)
    assert can_view_treasury(UserFactory(is_superuser=True))
    assert not can_view_treasury(UserFactory())


# --- Services acting for a person check their actor ------------------------------------------------


def test_only_the_sponsors_people_start_checkout(fake_stripe, invoice):
    with pytest.raises(NotAllowed) as exc:
        checkout_start(
            invoice=invoice, actor=UserFactory(), success_url="http://x/ok", cancel_url="http://x/no"
        )
    assert exc.value.code == "not_billing_contact"
    assert fake_stripe.requests == []
    assert Invoice.objects.get(pk=invoice.pk).stripe_checkout_session_id == ""


def test_checkout_needs_a_person(fake_stripe, invoice):
    with pytest.raises(NotAllowed):
        checkout_start(invoice=invoice, actor=None, success_url="http://x/ok", cancel_url="http://x/no")
    assert fake_stripe.requests == []


def test_only_the_sponsors_people_ask_for_a_stripe_invoice(fake_stripe, invoice):
    with pytest.raises(NotAllowed):
        invoice_send_via_stripe(invoice=invoice, actor=UserFactory())
    assert fake_stripe.requests == []
    assert not Invoice.objects.get(pk=invoice.pk).stripe_invoice_id


def test_only_the_sponsors_people_open_the_stripe_portal(fake_stripe, invoice):
    with pytest.raises(NotAllowed):
        portal_session_create(organisation=invoice.organisation, actor=UserFactory(), return_url="http://x/")
    assert fake_stripe.requests == []


def test_only_the_sponsors_people_change_the_invoice_details(invoice):
    with pytest.raises(NotAllowed):
        invoice_update_details(
            invoice=invoice, actor=UserFactory(), po_number="PO-1", billing_address="x", tax_id="y"
        )
    assert Invoice.objects.get(pk=invoice.pk).po_number == ""


def test_only_the_treasurer_records_in_kind_dues(invoice):
    with pytest.raises(NotAllowed) as exc:
        in_kind_record(
            invoice=invoice,
            actor=invoice.organisation.representative,
            description="x",
            decision=register_decision().number,
        )
    assert exc.value.code == "not_treasurer"
    assert not Payment.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.OPEN


def test_the_treasurer_records_in_kind_dues(invoice):
    payment = in_kind_record(
        invoice=invoice, actor=_treasurer(), description="Servers", decision=register_decision().number
    )
    assert payment.method == "in_kind"


def _flag(invoice):
    return BillingFlag.objects.create(kind=BillingFlag.Kind.PAYMENT_FAILED, invoice=invoice, detail={})


def test_only_the_treasurer_resolves_a_flag(invoice):
    flag = _flag(invoice)
    with pytest.raises(NotAllowed):
        flag_resolve(flag=flag, actor=UserFactory())
    assert BillingFlag.objects.get(pk=flag.pk).resolved_at is None
    assert not AuditEntry.objects.filter(action="billing.flag_resolved").exists()


def test_the_treasurer_resolves_a_flag(invoice):
    assert flag_resolve(flag=_flag(invoice), actor=_treasurer()).resolved_at is not None


# --- Pages -----------------------------------------------------------------------------------------


def _org_urls(invoice):
    slug, number = invoice.organisation.slug, invoice.number
    return [
        ("get", reverse("billing:dashboard", kwargs={"slug": slug})),
        ("get", reverse("billing:invoice", kwargs={"slug": slug, "number": number})),
        ("post", reverse("billing:invoice_details", kwargs={"slug": slug, "number": number})),
        ("post", reverse("billing:invoice_checkout", kwargs={"slug": slug, "number": number})),
        ("post", reverse("billing:invoice_send", kwargs={"slug": slug, "number": number})),
        ("post", reverse("billing:portal", kwargs={"slug": slug})),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, invoice):
    for method, url in [("get", reverse("billing:index")), *_org_urls(invoice)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_strangers_get_403_on_a_sponsors_pages_and_nothing_happens(client, fake_stripe, invoice):
    client.force_login(UserFactory())
    for method, url in _org_urls(invoice):
        assert getattr(client, method)(url).status_code == 403, url
    assert fake_stripe.requests == []


def test_an_unknown_organisation_or_invoice_is_404(client, invoice):
    client.force_login(invoice.organisation.representative)
    slug = invoice.organisation.slug
    assert client.get(reverse("billing:dashboard", kwargs={"slug": "nobody"})).status_code == 404
    missing = reverse("billing:invoice", kwargs={"slug": slug, "number": "CH-1999-00001"})
    assert client.get(missing).status_code == 404
    other = reverse("billing:invoice", kwargs={"slug": "nobody", "number": invoice.number})
    assert client.get(other).status_code == 404


def test_a_refused_payment_shows_the_message_on_the_billing_page(client, fake_stripe, invoice):
    in_kind_record(invoice=invoice, actor=None, description="Servers", decision=register_decision().number)
    client.force_login(invoice.organisation.representative)
    slug = invoice.organisation.slug
    url = reverse("billing:invoice_checkout", kwargs={"slug": slug, "number": invoice.number})
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:dashboard", kwargs={"slug": slug})
    text = client.get(response["Location"]).content.decode()
    assert "cannot be paid" in text


def test_a_refused_detail_change_shows_the_message_on_the_billing_page(client, invoice):
    Invoice.objects.filter(pk=invoice.pk).update(stripe_invoice_id="in_sent")
    client.force_login(invoice.organisation.representative)
    slug = invoice.organisation.slug
    url = reverse("billing:invoice_details", kwargs={"slug": slug, "number": invoice.number})
    response = client.post(url, {"po_number": "PO-1", "billing_address": "x", "tax_id": "y"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("billing:dashboard", kwargs={"slug": slug})
    assert "already been sent through Stripe" in response.content.decode()


def _treasury_urls(invoice):
    flag = _flag(invoice)
    return [
        ("get", reverse("billing_manage:overview")),
        ("get", reverse("billing_manage:export")),
        ("get", reverse("billing_manage:in_kind", kwargs={"number": invoice.number})),
        ("post", reverse("billing_manage:in_kind", kwargs={"number": invoice.number})),
        ("post", reverse("billing_manage:resolve_flag", kwargs={"pk": flag.pk})),
    ]


def test_treasury_pages_refuse_everyone_but_the_treasurer(client, invoice):
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    for method, url in _treasury_urls(invoice):
        assert getattr(client, method)(url).status_code == 403, url
    client.logout()
    for method, url in _treasury_urls(invoice):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_in_kind_refused_by_the_service_is_shown_on_the_form(client, clock):
    ruby = invoice_issue(membership=make_sponsor(class_code="ruby"))
    user = _treasurer()
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    url = reverse("billing_manage:in_kind", kwargs={"number": ruby.number})
    response = client.post(url, {"description": "Hardware", "decision": str(register_decision().number)})
    assert response.status_code == 200
    assert "does not allow dues in kind" in response.content.decode()
    assert not Payment.objects.exists()
