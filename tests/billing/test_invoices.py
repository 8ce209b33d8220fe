"""Issuing invoices: when, for what, and frozen as billed."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict, ValidationFailed
from core.models import AuditEntry, OutgoingEmail, RuleSet
from core.money import format_money
from members.billing.models import Invoice, InvoiceStatus
from members.billing.services.invoices import invoice_issue, invoices_issue_due, tax_notice_text
from members.models import Membership, MembershipClass
from tests.billing.conftest import make_sponsor
from tests.factories import OrganisationFactory, make_member, register_decision

pytestmark = pytest.mark.django_db


def test_invoice_is_issued_the_rule_sets_days_before_expiry(sponsor, clock):
    clock.set("2026-05-31T12:00:00+00:00")  # 31 days before 2026-07-01 12:00
    assert invoices_issue_due() == 0
    clock.advance(days=1)
    assert invoices_issue_due() == 1
    invoice = Invoice.objects.get()
    assert invoice.due_at == sponsor.expires_at
    assert invoice.issued_on == dt.date(2026, 6, 1)


def test_issuing_twice_bills_the_year_once(sponsor):
    assert invoices_issue_due() == 1
    assert invoices_issue_due() == 0
    assert Invoice.objects.count() == 1


def test_invoice_records_class_amount_rule_set_and_buyer_details(invoice):
    assert invoice.class_code == "silver"
    assert invoice.amount_minor == 2_500_00 and invoice.currency == "USD"
    assert invoice.rule_set.version == 1
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.billing_address.startswith("1 Main St") and invoice.tax_id == "US-12-3456789"
    assert invoice.number.startswith("CH-2026-")
    assert "not deductible as charitable contributions" in invoice.tax_notice


def test_invoice_numbers_are_sequential(sponsor):
    first = invoice_issue(membership=sponsor)
    second = invoice_issue(membership=make_sponsor(class_code="ruby"))
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


def test_individual_members_are_not_invoiced(clock):
    member = make_member()
    with pytest.raises(ValidationFailed) as exc:
        invoice_issue(membership=member)
    assert exc.value.code == "not_an_organisation"


def test_a_year_cannot_be_invoiced_twice(invoice):
    with pytest.raises(Conflict) as exc:
        invoice_issue(membership=invoice.membership)
    assert exc.value.code == "already_invoiced"


def test_pending_sponsor_gets_an_invoice_due_on_receipt(clock):
    pending = Membership.objects.create(organisation=OrganisationFactory(), class_code="gold")
    assert invoices_issue_due() == 1
    invoice = Invoice.objects.get(membership=pending)
    assert invoice.due_at == clock.now() and invoice.amount_minor == 20_000_00


def test_invoice_issue_is_audited_and_emailed(invoice):
    assert AuditEntry.objects.filter(action="billing.invoice_issued", object_ref=invoice.number).exists()
    email = OutgoingEmail.objects.get(purpose="billing.invoice_issued")
    assert email.to == "billing@example.com" and invoice.number in email.subject


def test_dues_changed_mid_year_leave_existing_invoices_alone(invoice, clock):
    v2 = RuleSet.objects.create(
        version=2, name="Dues rise", effective_from=clock.now() + dt.timedelta(days=1)
    )
    for klass in MembershipClass.objects.filter(rule_set__version=1):
        klass.pk = None
        klass.rule_set = v2
        klass.annual_dues_minor *= 2
        klass.save()
    clock.advance(days=2)
    invoice.refresh_from_db()
    assert invoice.amount_minor == 2_500_00 and invoice.rule_set.version == 1
    other = invoice_issue(membership=make_sponsor(class_code="silver"))
    assert other.amount_minor == 5_000_00 and other.rule_set.version == 2


def test_zero_decimal_currency_dues_are_billed_in_whole_units(clock):
    MembershipClass.objects.filter(code="ruby").update(currency="JPY", annual_dues_minor=750_000)
    invoice = invoice_issue(membership=make_sponsor(class_code="ruby"))
    assert invoice.currency == "JPY" and invoice.amount_minor == 750_000
    assert format_money(invoice.amount_minor, invoice.currency) == "750,000 JPY"


def test_tax_notice_states_the_lobbying_share():
    assert "12% of these dues is allocable to lobbying" in tax_notice_text(lobbying_share_percent=12)
    assert "No part of these dues is used for lobbying" in tax_notice_text(lobbying_share_percent=0)


def test_suspended_membership_is_not_invoiced(sponsor):
    from members.services.transitions import membership_suspend

    membership_suspend(
        membership=sponsor,
        actor=None,
        reason="x",
        notice_date=dt.date(2026, 5, 1),
        decision_number=register_decision().number,
    )
    with pytest.raises(Conflict):
        invoice_issue(membership=sponsor)
