"""The sponsor's billing pages. Thin: parse, check, call one service.

Each page is guarded by ``can_manage_billing`` for the organisation in the URL (a missing
organisation is a 404, someone else's a 403). A service refusing (an invoice no longer
payable, Stripe unreachable) shows its message on the organisation's billing page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import permission_required
from core.views.errors import domain_errors
from members.billing.forms import InvoiceDetailsForm
from members.billing.models import Invoice
from members.billing.pdf import invoice_filename, receipt_filename
from members.billing.permissions import can_download_invoice, can_manage_billing, can_view_own_billing
from members.billing.selectors import billing_organisations, organisation_invoices, sponsor_billing
from members.billing.services.invoices import (
    checkout_start,
    invoice_pdf_ensure,
    invoice_send_via_stripe,
    invoice_update_details,
    portal_session_create,
    receipt_pdf_ensure,
)
from members.models import Organisation


def _organisation(request: HttpRequest, slug: str, **_kwargs: Any) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


def _invoice(slug: str, number: str) -> Invoice:
    return get_object_or_404(organisation_invoices(organisation_slug=slug), number=number)


def _back(slug: str) -> HttpResponse:
    """Where a refused action returns to, its message shown there."""
    return redirect("billing:dashboard", slug=slug)


#: Every page under /billing/org/<slug>/: the organisation's billing people only.
manages_billing = permission_required(can_manage_billing, obj=_organisation)


def _allow_stripe_redirects(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let this page's forms redirect to Stripe's hosted pages (CSP ``form-action``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        origins = [settings.STRIPE_API_BASE] if settings.STRIPE_API_BASE else settings.STRIPE_PAGE_ORIGINS
        response._csp_update = {"form-action": list(origins)}  # type: ignore[attr-defined]
        return response

    return wrapped


@permission_required(can_view_own_billing)
def index(request: HttpRequest) -> HttpResponse:
    organisations = list(billing_organisations(user=request.user))
    if len(organisations) == 1:
        return redirect("billing:dashboard", slug=organisations[0].slug)
    return render(request, "billing/index.html", {"organisations": organisations})


@manages_billing
@_allow_stripe_redirects
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    if request.GET.get("checkout") == "success":
        messages.info(
            request, _("Thank you. Your payment is being confirmed by Stripe; this page updates when it is.")
        )
    elif request.GET.get("checkout") == "cancelled":
        messages.warning(request, _("The payment was cancelled. Nothing was charged."))
    return render(request, "billing/dashboard.html", {"billing": sponsor_billing(organisation=organisation)})


@manages_billing
@_allow_stripe_redirects
def invoice_detail(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    invoice = _invoice(slug, number)
    form = InvoiceDetailsForm(
        initial={
            "po_number": invoice.po_number,
            "billing_address": invoice.billing_address,
            "tax_id": invoice.tax_id,
        }
    )
    return render(request, "billing/invoice_detail.html", {"invoice": invoice, "form": form})


def _invoice_for_download(request: HttpRequest, slug: str, number: str, **_kwargs: Any) -> Invoice:
    return _invoice(slug, number)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD"])
@permission_required(can_download_invoice, obj=_invoice_for_download)
def invoice_pdf(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    """The invoice as issued (stored bytes: the same file on every download)."""
    invoice = _invoice(slug, number)
    return _pdf(invoice_pdf_ensure(invoice=invoice), invoice_filename(invoice))


@require_http_methods(["GET", "HEAD"])
@permission_required(can_download_invoice, obj=_invoice_for_download)
def receipt_pdf(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    """The receipt of a paid invoice; 404 until it is paid."""
    invoice = _invoice(slug, number)
    content = receipt_pdf_ensure(invoice=invoice)
    if content is None:
        raise Http404(_("This invoice has no receipt: it is not paid."))
    return _pdf(content, receipt_filename(invoice))


@manages_billing
@require_POST
def invoice_details(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    invoice = _invoice(slug, number)
    form = InvoiceDetailsForm(request.POST)
    if not form.is_valid():
        return render(request, "billing/invoice_detail.html", {"invoice": invoice, "form": form}, status=400)
    with domain_errors(request) as outcome:
        invoice_update_details(invoice=invoice, actor=request.user, **form.cleaned_data)
    if not outcome.ok:
        return _back(slug)
    messages.success(request, _("The invoice details were saved."))
    return redirect("billing:invoice", slug=slug, number=number)


@manages_billing
@require_POST
def invoice_checkout(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    invoice = _invoice(slug, number)
    base = request.build_absolute_uri(reverse("billing:dashboard", kwargs={"slug": slug}))
    url = ""
    with domain_errors(request) as outcome:
        url = checkout_start(
            invoice=invoice,
            actor=request.user,
            success_url=f"{base}?checkout=success",
            cancel_url=f"{base}?checkout=cancelled",
        )
    if not outcome.ok:
        return _back(slug)
    return HttpResponseRedirect(url, status=303)


@manages_billing
@require_POST
def invoice_send(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    invoice = _invoice(slug, number)
    url = ""
    with domain_errors(request) as outcome:
        url = invoice_send_via_stripe(invoice=invoice, actor=request.user)
    if not outcome.ok:
        return _back(slug)
    return HttpResponseRedirect(url, status=303)


@manages_billing
@require_POST
def portal(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    back = request.build_absolute_uri(reverse("billing:dashboard", kwargs={"slug": slug}))
    url = ""
    with domain_errors(request) as outcome:
        url = portal_session_create(organisation=organisation, actor=request.user, return_url=back)
    if not outcome.ok:
        return _back(slug)
    return HttpResponseRedirect(url, status=303)
