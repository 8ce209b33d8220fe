"""PDF invoices and receipts: stored at issue and at payment, the same bytes on every download,
the foundation's address and tax id, line items and the 501(c)(6) notice with the rule set's
lobbying share; only the sponsor's billing people and the treasurer download them; the invoice
and receipt emails carry them (sent through a real SMTP server on loopback)."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings

from core.models import RuleSet
from members.billing.models import Invoice
from members.billing.services.invoices import invoice_issue, invoice_update_details
from members.billing.services.payments import Received, payment_record
from tests.auth import sign_in
from tests.billing.conftest import make_sponsor
from tests.factories import RoleFactory, UserFactory
from tests.members.test_bounces import smtp_server  # noqa: F401  (the loopback SMTP fixture)

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The text shown by an uncompressed PDF: its string operands, unescaped, in order."""
    strings = re.findall(rb"\((?:\\.|[^\\()])*\)\s*Tj", content)
    parts = [re.sub(rb"\\(.)", rb"\1", s[1 : s.rindex(b")")]).decode("latin-1") for s in strings]
    return " ".join(" ".join(parts).split())


def _url(invoice: Invoice, name: str) -> str:
    return f"/billing/org/{invoice.organisation.slug}/invoices/{invoice.number}/{name}"


def _pay(invoice: Invoice) -> None:
    payment_record(
        invoice=invoice,
        received=Received(
            method="checkout",
            amount_minor=invoice.amount_minor,
            currency="USD",
            stripe_payment_intent_id="pi_pdf",
        ),
    )
    invoice.refresh_from_db()


@pytest.fixture
def lobbying_invoice(clock):
    RuleSet.objects.update(lobbying_share_percent=7)
    sponsor = make_sponsor(
        class_code="gold", billing_address="Acme Corp\n1 Main St\nSpringfield", tax_id="US-12-3456789"
    )
    return invoice_issue(membership=sponsor)


def test_the_invoice_pdf_is_stored_at_issue_with_everything_accounts_payable_needs(lobbying_invoice):
    invoice = Invoice.objects.get(pk=lobbying_invoice.pk)
    content = bytes(invoice.pdf)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    for line in settings.FOUNDATION_ADDRESS.splitlines():
        assert line in text
    assert settings.FOUNDATION_TAX_ID in text and settings.FOUNDATION_NAME in text
    assert invoice.number in text and invoice.issued_on.isoformat() in text
    assert invoice.due_at.date().isoformat() in text
    assert "Acme Corp" in text and "1 Main St" in text and "US-12-3456789" in text
    assert "Gold membership dues" in text and "20,000.00 USD" in text
    assert "section 501(c)(6)" in text
    assert "7% of these dues is allocable to lobbying" in text


def test_downloading_twice_returns_the_stored_bytes_under_a_stable_name(client, lobbying_invoice):
    client.force_login(lobbying_invoice.organisation.representative)
    first = client.get(_url(lobbying_invoice, "invoice.pdf"))
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert (
        first["Content-Disposition"]
        == f'attachment; filename="charter-invoice-{lobbying_invoice.number}.pdf"'
    )
    second = client.get(_url(lobbying_invoice, "invoice.pdf"))
    assert first.content == second.content == bytes(Invoice.objects.get(pk=lobbying_invoice.pk).pdf)


def test_an_issued_invoice_never_changes_but_the_buyers_own_details_can_be_corrected(lobbying_invoice):
    stored = bytes(Invoice.objects.get(pk=lobbying_invoice.pk).pdf)
    RuleSet.objects.update(lobbying_share_percent=30)  # a later rule change does not touch it
    assert bytes(Invoice.objects.get(pk=lobbying_invoice.pk).pdf) == stored
    invoice_update_details(
        invoice=lobbying_invoice,
        actor=lobbying_invoice.organisation.representative,
        po_number="PO-778",
        billing_address="Acme Corp\n2 Side St",
        tax_id="US-12-3456789",
    )
    text = pdf_text(bytes(Invoice.objects.get(pk=lobbying_invoice.pk).pdf))
    assert "PO-778" in text and "2 Side St" in text and "7% of these dues" in text


def test_strangers_cannot_download_and_there_is_no_receipt_before_payment(client, lobbying_invoice):
    client.force_login(UserFactory())
    assert client.get(_url(lobbying_invoice, "invoice.pdf")).status_code == 403
    assert client.get(_url(lobbying_invoice, "receipt.pdf")).status_code == 403
    client.force_login(lobbying_invoice.organisation.representative)
    assert client.get(_url(lobbying_invoice, "receipt.pdf")).status_code == 404
    other = make_sponsor()
    client.force_login(other.organisation.representative)
    assert client.get(_url(lobbying_invoice, "invoice.pdf")).status_code == 403


def test_the_treasurer_downloads_with_two_factor(client, lobbying_invoice):
    treasurer = UserFactory()
    TOTP.activate(treasurer, generate_totp_secret())
    RoleFactory(user=treasurer, role="treasurer")
    sign_in(client, treasurer, second_factor=False)
    assert client.get(_url(lobbying_invoice, "invoice.pdf")).status_code in (302, 403)
    sign_in(client, treasurer)
    assert client.get(_url(lobbying_invoice, "invoice.pdf")).status_code == 200


def test_the_receipt_is_stored_when_the_payment_is_recorded(client, lobbying_invoice):
    _pay(lobbying_invoice)
    stored = bytes(lobbying_invoice.receipt_pdf)
    text = pdf_text(stored)
    assert text.startswith(settings.FOUNDATION_NAME) and "Receipt" in text
    assert "Paid in full" in text and "20,000.00 USD" in text and "section 501(c)(6)" in text
    client.force_login(lobbying_invoice.organisation.representative)
    response = client.get(_url(lobbying_invoice, "receipt.pdf"))
    assert response.content == stored
    assert f'filename="charter-receipt-{lobbying_invoice.number}.pdf"' in response["Content-Disposition"]
    page = client.get(_url(lobbying_invoice, "")).content.decode()
    assert "receipt.pdf" in page and "invoice.pdf" in page


def test_the_invoice_and_receipt_emails_carry_the_pdfs(lobbying_invoice, run_jobs, smtp_server):  # noqa: F811
    _pay(lobbying_invoice)
    run_jobs()
    sent = {}
    for recipients, raw in smtp_server.received:
        message = email.message_from_bytes(raw, policy=policy.default)
        files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
        sent[str(message["Subject"])] = (recipients, files)
    stored = Invoice.objects.get(pk=lobbying_invoice.pk)
    invoice_files = next(
        files
        for subject, (_to, files) in sent.items()
        if "nvoice" in subject and files.get(f"charter-invoice-{stored.number}.pdf")
    )
    assert invoice_files[f"charter-invoice-{stored.number}.pdf"] == bytes(stored.pdf)
    receipt_files = [files for _to, files in sent.values() if f"charter-receipt-{stored.number}.pdf" in files]
    assert receipt_files and receipt_files[0][f"charter-receipt-{stored.number}.pdf"] == bytes(
        stored.receipt_pdf
    )
    assert all(to == ["billing@example.com"] for to, _files in sent.values())


def test_an_invoice_issued_before_pdfs_gets_one_drawn_once_from_its_frozen_fields(client, lobbying_invoice):
    Invoice.objects.filter(pk=lobbying_invoice.pk).update(pdf=None)
    RuleSet.objects.update(lobbying_share_percent=30)  # the frozen invoice keeps its own 7%
    client.force_login(lobbying_invoice.organisation.representative)
    first = client.get(_url(lobbying_invoice, "invoice.pdf")).content
    assert "7% of these dues" in pdf_text(first)
    assert bytes(Invoice.objects.get(pk=lobbying_invoice.pk).pdf) == first
    assert client.get(_url(lobbying_invoice, "invoice.pdf")).content == first
