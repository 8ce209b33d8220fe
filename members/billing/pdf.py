"""PDF invoices and receipts, drawn with fpdf2 (pure Python: no system libraries).

Rendered once, when the invoice is issued (the receipt when the payment is recorded), from
the invoice's frozen fields and the foundation's address and tax id (settings
``FOUNDATION_ADDRESS``, ``FOUNDATION_TAX_ID``); the bytes are stored on the invoice, so a
download always returns the document that was sent. The built-in Helvetica covers Latin-1:
other characters are replaced, never dropped silently from amounts or numbers (those are ASCII).
Content streams are left uncompressed: the documents are small and their text can be checked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from core.money import format_money


def invoice_filename(invoice: Any) -> str:
    return f"charter-invoice-{invoice.number}.pdf"


def receipt_filename(invoice: Any) -> str:
    return f"charter-receipt-{invoice.number}.pdf"


def _latin1(text: str) -> str:
    text = text.replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'").replace("\u00a0", " ")
    return text.encode("latin-1", "replace").decode("latin-1")


class _Document(FPDF):
    def __init__(self, *, title: str, created: dt.datetime) -> None:
        super().__init__(format="A4")
        self.compress = False
        self.set_creation_date(created)
        self.set_title(_latin1(title))
        self.set_author(_latin1(settings.FOUNDATION_NAME))
        self.set_creator("Charter")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.add_page()

    def text_line(self, text: str, *, size: float = 10, bold: bool = False, height: float = 5) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.multi_cell(0, height, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def header_block(self, *, heading: str) -> None:
        self.text_line(settings.FOUNDATION_NAME, size=14, bold=True, height=7)
        for line in settings.FOUNDATION_ADDRESS.splitlines():
            self.text_line(line)
        if settings.FOUNDATION_TAX_ID:
            self.text_line(_("Tax id: %(id)s") % {"id": settings.FOUNDATION_TAX_ID})
        self.ln(6)
        self.text_line(heading, size=18, bold=True, height=9)
        self.ln(2)

    def pairs(self, rows: list[tuple[str, str]]) -> None:
        for label, value in rows:
            self.set_font("Helvetica", "B", 10)
            self.cell(45, 6, _latin1(label))
            self.set_font("Helvetica", "", 10)
            self.multi_cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")

    def bill_to(self, invoice: Any) -> None:
        self.ln(3)
        self.text_line(_("Bill to"), bold=True)
        self.text_line(invoice.bill_to_name)
        for line in invoice.billing_address.splitlines():
            self.text_line(line)
        if invoice.tax_id:
            self.text_line(_("Tax or VAT id: %(id)s") % {"id": invoice.tax_id})
        if invoice.po_number:
            self.text_line(_("Purchase order: %(po)s") % {"po": invoice.po_number})
        self.ln(4)

    def line_items(self, invoice: Any, *, total_label: str) -> None:
        amount = format_money(invoice.amount_minor, invoice.currency)
        widths = (110, 20, 44)
        self.set_font("Helvetica", "B", 10)
        for width, label, align in zip(widths, (_("Description"), _("Qty"), _("Amount")), "LRR", strict=True):
            self.cell(width, 7, _latin1(label), border="B", align=align)
        self.ln()
        self.set_font("Helvetica", "", 10)
        description = _("%(class)s membership dues") % {"class": invoice.class_name}
        self.cell(widths[0], 7, _latin1(description))
        self.cell(widths[1], 7, "1", align="R")
        self.cell(widths[2], 7, _latin1(amount), align="R")
        self.ln()
        self.set_font("Helvetica", "", 9)
        self.cell(widths[0], 5, _latin1(_("Membership year %(year)s") % {"year": _membership_year(invoice)}))
        self.ln(6)
        self.set_font("Helvetica", "B", 10)
        self.cell(widths[0] + widths[1], 8, _latin1(total_label), border="T", align="R")
        self.cell(widths[2], 8, _latin1(amount), border="T", align="R")
        self.ln(12)

    def notice(self, invoice: Any) -> None:
        self.text_line(_("Tax notice"), bold=True)
        self.text_line(invoice.tax_notice, size=9, height=4.5)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def _membership_year(invoice: Any) -> str:
    start = invoice.due_at.date()
    end = (
        start.replace(year=start.year + 1)
        if not (start.month == 2 and start.day == 29)
        else start.replace(year=start.year + 1, day=28)
    )
    return f"{start.isoformat()} - {end.isoformat()}"


def render_invoice_pdf(invoice: Any) -> bytes:
    """The invoice as issued: number, dates, bill-to, line items, total, the 501(c)(6) notice."""
    with translation.override(settings.LANGUAGE_CODE):
        pdf = _Document(
            title=_("Invoice %(number)s") % {"number": invoice.number}, created=invoice.created_at
        )
        pdf.header_block(heading=_("Invoice"))
        pdf.pairs(
            [
                (_("Invoice number"), invoice.number),
                (_("Date issued"), invoice.issued_on.isoformat()),
                (_("Due date"), invoice.due_at.date().isoformat()),
                (_("Lobbying share"), f"{invoice.lobbying_share_percent}%"),
            ]
        )
        pdf.bill_to(invoice)
        pdf.line_items(invoice, total_label=_("Total due (%(currency)s)") % {"currency": invoice.currency})
        pdf.notice(invoice)
        return pdf.output_bytes()


def render_receipt_pdf(invoice: Any, payment: Any) -> bytes:
    """The receipt for a paid invoice: what was paid, when and how, with the same notice."""
    with translation.override(settings.LANGUAGE_CODE):
        pdf = _Document(
            title=_("Receipt for invoice %(number)s") % {"number": invoice.number},
            created=payment.received_at,
        )
        pdf.header_block(heading=_("Receipt"))
        pdf.pairs(
            [
                (_("Invoice number"), invoice.number),
                (_("Date issued"), invoice.issued_on.isoformat()),
                (_("Date paid"), payment.received_at.date().isoformat()),
                (_("Paid by"), str(payment.get_method_display())),
                (_("Amount paid"), format_money(payment.amount_minor, payment.currency)),
                (_("Lobbying share"), f"{invoice.lobbying_share_percent}%"),
            ]
        )
        if payment.description:
            pdf.pairs([(_("Given in kind"), payment.description)])
        pdf.bill_to(invoice)
        pdf.line_items(invoice, total_label=_("Total paid (%(currency)s)") % {"currency": invoice.currency})
        pdf.text_line(_("Paid in full. Thank you."), bold=True)
        pdf.ln(4)
        pdf.notice(invoice)
        return pdf.output_bytes()
