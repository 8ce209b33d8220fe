"""Standing follows payment, over time: grace at the due date, lapse after grace, recovery."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import ValidationFailed
from members.billing.models import InvoiceStatus, Payment
from members.billing.services.invoices import invoice_issue
from members.billing.services.payments import in_kind_record
from members.models import Membership, MembershipEvent
from members.rights import voting_rights
from members.services.transitions import membership_apply_schedule
from tests.billing.conftest import make_sponsor, pay_by_checkout
from tests.factories import OrganisationFactory, register_decision

pytestmark = pytest.mark.django_db

YEAR_END = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)
GRACE_END = YEAR_END + dt.timedelta(days=30)  # the reference rule set's grace_days


def test_unpaid_invoice_moves_the_membership_to_grace_at_the_due_date(invoice, clock):
    clock.set(YEAR_END + dt.timedelta(hours=1))
    membership_apply_schedule()
    invoice.membership.refresh_from_db()
    assert invoice.membership.state == "grace"
    rights = voting_rights(subject=invoice.membership)
    assert not rights.eligible and rights.reasons[0].code == "dues_unpaid"


def test_unpaid_invoice_lapses_the_membership_after_the_grace_days(invoice, clock):
    clock.set(GRACE_END - dt.timedelta(minutes=1))
    membership_apply_schedule()
    assert Membership.objects.get(pk=invoice.membership_id).state == "grace"
    clock.set(GRACE_END + dt.timedelta(minutes=1))
    membership_apply_schedule()
    invoice.membership.refresh_from_db()
    assert invoice.membership.state == "lapsed"
    assert voting_rights(subject=invoice.membership).reasons[0].code == "lapsed"


def test_paying_within_grace_extends_from_the_previous_expiry(fake_stripe, invoice, deliver, clock):
    clock.set(YEAR_END + dt.timedelta(days=10))
    membership_apply_schedule()
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    invoice.membership.refresh_from_db()
    assert invoice.membership.state == "active"
    assert invoice.membership.expires_at == YEAR_END + dt.timedelta(days=365)
    assert voting_rights(subject=invoice.membership).eligible


def test_paying_after_the_lapse_starts_a_new_term_at_payment(fake_stripe, invoice, deliver, clock):
    clock.set(GRACE_END + dt.timedelta(days=5))
    membership_apply_schedule()
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    invoice.membership.refresh_from_db()
    assert invoice.membership.state == "active"
    assert invoice.membership.term_start == clock.now()
    assert invoice.membership.expires_at == clock.now() + dt.timedelta(days=365)


def test_first_payment_of_a_pending_membership_starts_it(fake_stripe, deliver, clock):
    pending = Membership.objects.create(organisation=OrganisationFactory(), class_code="ruby")
    invoice = invoice_issue(membership=pending)
    assert not voting_rights(subject=pending).eligible
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    pending.refresh_from_db()
    assert pending.state == "active" and pending.member_since == clock.now()
    assert voting_rights(subject=pending).weight == 5


def test_paid_year_does_not_enter_grace_at_the_old_due_date(fake_stripe, invoice, deliver, clock):
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    clock.set(YEAR_END + dt.timedelta(days=40))
    membership_apply_schedule()
    invoice.membership.refresh_from_db()
    assert invoice.membership.state == "active"


def test_every_standing_change_is_in_the_membership_history(fake_stripe, invoice, deliver, clock):
    clock.set(YEAR_END + dt.timedelta(days=3))
    membership_apply_schedule()
    pay_by_checkout(fake_stripe, invoice)
    deliver()
    kinds = list(MembershipEvent.objects.filter(membership=invoice.membership).values_list("kind", flat=True))
    assert kinds == ["activated", "grace_started", "dues_paid"]


# --- In kind --------------------------------------------------------------------------------------


def test_in_kind_dues_accepted_by_the_board_pay_the_year(invoice):
    decision = register_decision(title="Accept two build servers as dues")
    payment = in_kind_record(
        invoice=invoice, actor=None, description="Two build servers", decision=decision.number
    )
    invoice.refresh_from_db()
    invoice.membership.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and payment.method == "in_kind"
    assert (payment.decision_number, payment.decision_ref) == (decision.number, decision.reference)
    assert invoice.membership.expires_at == YEAR_END + dt.timedelta(days=365)


@pytest.mark.parametrize("decision", [None, "", " ", "NO-SUCH-DECISION", "R-0001", 0, 9999])
def test_in_kind_dues_need_a_decision_of_the_register(invoice, decision):
    """Issue 18: ``decision_ref="NO-SUCH-DECISION"`` used to be accepted as the board's decision."""
    register_decision()  # number 1 exists, but is named by its number, not typed
    with pytest.raises(ValidationFailed) as exc:
        in_kind_record(invoice=invoice, actor=None, description="Hardware", decision=decision)  # type: ignore[arg-type]
    assert exc.value.code in ("decision_required", "decision_not_found")
    assert not Payment.objects.exists()


def test_in_kind_dues_need_an_adopted_decision(invoice):
    rejected = register_decision(outcome="rejected")
    with pytest.raises(ValidationFailed) as exc:
        in_kind_record(invoice=invoice, actor=None, description="Hardware", decision=rejected.number)
    assert exc.value.code == "decision_not_adopted"
    assert not Payment.objects.exists()


def test_in_kind_dues_are_refused_for_a_class_that_does_not_allow_them(clock):
    ruby = invoice_issue(membership=make_sponsor(class_code="ruby"))
    with pytest.raises(ValidationFailed) as exc:
        in_kind_record(invoice=ruby, actor=None, description="Hardware", decision=register_decision().number)
    assert exc.value.code == "in_kind_not_allowed"
    assert not Payment.objects.exists()
