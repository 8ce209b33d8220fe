"""The treasurer's pages under /manage/billing/ (two-factor enforced by the middleware).

Every page is guarded by ``can_view_treasury``; the writes (in-kind dues, resolving a
flag) are checked again by their services for the person acting.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.access import permission_required
from core.money import format_money
from core.views.errors import domain_errors
from members.billing.charts import bar_chart
from members.billing.forms import InKindForm
from members.billing.models import BillingFlag, Invoice, InvoiceStatus
from members.billing.permissions import can_view_treasury
from members.billing.selectors import (
    credits_total,
    invoices_for_export,
    open_flags,
    revenue_by_month,
    treasury_invoices,
    treasury_summary,
)
from members.billing.services.invoices import invoice_class
from members.billing.services.payments import flag_resolve, in_kind_record


@permission_required(can_view_treasury)
def overview(request: HttpRequest) -> HttpResponse:
    charts = [
        bar_chart(
            points=points,
            currency=currency,
            title=_("Dues received per month (%(currency)s)") % {"currency": currency},
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
            "credits": {c: format_money(v, c) for c, v in credits_total().items()},
            "page_obj": page,
            "status": status,
            "status_choices": InvoiceStatus.choices,
            "now": clock.now(),
        },
    )


@permission_required(can_view_treasury)
def export_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dues-{clock.today().isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
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
    )
    for inv in invoices_for_export().select_related("rule_set").iterator(chunk_size=500):
        writer.writerow(
            [
                inv.number,
                inv.organisation.legal_name,
                inv.class_code,
                inv.rule_set.version,
                inv.amount_minor,
                inv.currency,
                format_money(inv.amount_minor, inv.currency),
                inv.issued_on.isoformat(),
                inv.due_at.date().isoformat(),
                inv.status,
                inv.paid_at.isoformat() if inv.paid_at else "",
                inv.po_number,
            ]
        )
    return response


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
