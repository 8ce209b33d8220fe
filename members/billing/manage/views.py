"""The treasurer's pages under /manage/billing/ (two-factor enforced by the middleware).

Every page is guarded by ``can_view_treasury``; the writes (in-kind dues, resolving a
flag) are checked again by their services for the person acting.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.access import permission_required
from core.csv import csv_response
from core.money import format_money
from core.views.errors import domain_errors
from members.billing.charts import bar_chart
from members.billing.forms import InKindForm
from members.billing.models import BillingFlag, Invoice, InvoiceStatus, StripeEvent
from members.billing.permissions import can_retry_stripe_event, can_view_treasury
from members.billing.selectors import (
    credits_total,
    failed_stripe_events,
    invoices_for_export,
    open_flags,
    revenue_by_month,
    treasury_invoices,
    treasury_summary,
)
from members.billing.services.invoices import invoice_class
from members.billing.services.payments import flag_resolve, in_kind_record
from members.billing.services.webhooks import stripe_event_retry


@permission_required(can_view_treasury)
def overview(request: HttpRequest) -> HttpResponse:
    charts = [
        bar_chart(
            points=points,
            currency=currency,
            title=_("Dues paid per month (%(currency)s), in kind included") % {"currency": currency},
        )
        for currency, points in sorted(revenue_by_month().items())
    ]
    status = request.GET.get("status", "")
    page = Paginator(treasury_invoices(status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/manage/overview.html",
        {
            "rows": treasury_summary(),
            "charts": charts,
            "flags": list(open_flags()[:50]),
            "failed_events": list(failed_stripe_events()[:50]),
            "can_retry_events": can_retry_stripe_event(request.user),
            "credits": {c: format_money(v, c) for c, v in credits_total().items()},
            "page_obj": page,
            "status": status,
            "status_choices": InvoiceStatus.choices,
            "now": clock.now(),
        },
    )


EXPORT_COLUMNS = [
    "number",
    "organisation",
    "class",
    "rule_set_version",
    "amount_minor",
    "currency",
    "amount",
    "issued_on",
    "due_date",
    "status",
    "paid_at",
    "po_number",
]


@permission_required(can_view_treasury)
def export_csv(request: HttpRequest) -> HttpResponse:
    """Every invoice (a few per sponsor: built in memory), through core.csv: a legal name or PO number cannot run as a formula."""
    invoices = invoices_for_export().select_related("rule_set").iterator(chunk_size=500)
    rows = (
        (
            inv.number,
            inv.organisation.legal_name,
            inv.class_code,
            inv.rule_set.version,
            inv.amount_minor,
            inv.currency,
            format_money(inv.amount_minor, inv.currency),
            inv.issued_on,
            inv.due_at.date(),
            inv.status,
            inv.paid_at,
            inv.po_number,
        )
        for inv in invoices
    )
    return csv_response(filename=f"dues-{clock.today().isoformat()}.csv", header=EXPORT_COLUMNS, rows=rows)


@permission_required(can_view_treasury)
def in_kind(request: HttpRequest, number: str) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("organisation"), number=number)
    klass = invoice_class(invoice)
    form = InKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            in_kind_record(invoice=invoice, actor=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(
                request, _("In-kind dues recorded for invoice %(number)s.") % {"number": invoice.number}
            )
            return redirect("billing_manage:overview")
    return render(request, "billing/manage/in_kind.html", {"invoice": invoice, "form": form, "klass": klass})


@permission_required(can_view_treasury)
@require_POST
def resolve_flag(request: HttpRequest, pk: int) -> HttpResponse:
    with domain_errors(request) as outcome:
        flag_resolve(flag=get_object_or_404(BillingFlag, pk=pk), actor=request.user)
    if outcome.ok:
        messages.success(request, _("Marked as resolved."))
    return redirect("billing_manage:overview")


@permission_required(can_retry_stripe_event)
@require_POST
def retry_event(request: HttpRequest, event_id: str) -> HttpResponse:
    event = get_object_or_404(StripeEvent, event_id=event_id)
    with domain_errors(request) as outcome:
        stripe_event_retry(event=event, actor=request.user)
    if outcome.ok:
        messages.success(
            request, _("Event %(event)s queued again for processing.") % {"event": event.event_id}
        )
    return redirect("billing_manage:overview")
