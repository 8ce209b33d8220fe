"""The treasurer's pages under /manage/billing/ (two-factor enforced by the middleware)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.errors import DomainError
from members.billing.charts import bar_chart
from members.billing.forms import InKindForm
from members.billing.models import BillingFlag, Invoice, InvoiceStatus
from members.billing.money import format_money
from members.billing.permissions import can_view_treasury
from members.billing.selectors import (
    credits_total,
    invoices_for_export,
    open_flags,
    revenue_by_month,
    treasury_summary,
)
from members.billing.services.invoices import invoice_class
from members.billing.services.payments import flag_resolve, in_kind_record


def treasurer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_view_treasury(request.user):
            raise PermissionDenied(_("Only the treasurer and staff see the foundation's dues."))
        return view(request, *args, **kwargs)

    return wrapped


@treasurer_required
def overview(request: HttpRequest) -> HttpResponse:
    charts = [
        bar_chart(
            points=points,
            currency=currency,
            title=_("Dues received per month (%(currency)s)") % {"currency": currency},
        )
        for currency, points in sorted(revenue_by_month().items())
    ]
    invoices = Invoice.objects.select_related("organisation").order_by("-due_at", "-id")
    status = request.GET.get("status", "")
    if status:
        invoices = invoices.filter(status=status)
    page = Paginator(invoices, 50).get_page(request.GET.get("page"))
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


@treasurer_required
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


@treasurer_required
def in_kind(request: HttpRequest, number: str) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("organisation"), number=number)
    klass = invoice_class(invoice)
    form = InKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            in_kind_record(invoice=invoice, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("In-kind dues recorded for invoice %(number)s.") % {"number": invoice.number}
            )
            return redirect("billing_manage:overview")
    return render(request, "billing/manage/in_kind.html", {"invoice": invoice, "form": form, "klass": klass})


@treasurer_required
@require_POST
def resolve_flag(request: HttpRequest, pk: int) -> HttpResponse:
    flag_resolve(flag=get_object_or_404(BillingFlag, pk=pk), actor=request.user)
    messages.success(request, _("Marked as resolved."))
    return redirect("billing_manage:overview")
