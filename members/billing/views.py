"""The sponsor's billing pages and the Stripe webhook. Thin: parse, check, call one service."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotAllowed, NotFound
from members.billing.forms import InvoiceDetailsForm
from members.billing.selectors import (
    access_invoice,
    access_organisation_billing,
    billing_organisations,
    sponsor_billing,
)
from members.billing.services.invoices import (
    checkout_start,
    invoice_send_via_stripe,
    invoice_update_details,
    portal_session_create,
)
from members.billing.services.webhooks import webhook_receive

log = logging.getLogger(__name__)


def _domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Access errors become 404/403; other domain errors a message on the page the user came from."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
            slug = kwargs.get("slug")
            return redirect("billing:dashboard", slug=slug) if slug else redirect("billing:index")

    return wrapped


def _allow_stripe_redirects(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let this page's forms redirect to Stripe's hosted pages (CSP ``form-action``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        origins = [settings.STRIPE_API_BASE] if settings.STRIPE_API_BASE else settings.STRIPE_PAGE_ORIGINS
        response._csp_update = {"form-action": list(origins)}  # type: ignore[attr-defined]
        return response

    return wrapped


@login_required
def index(request: HttpRequest) -> HttpResponse:
    organisations = list(billing_organisations(user=request.user))
    if len(organisations) == 1:
        return redirect("billing:dashboard", slug=organisations[0].slug)
    return render(request, "billing/index.html", {"organisations": organisations})


@login_required
@_allow_stripe_redirects
@_domain_errors
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_organisation_billing(user=request.user, slug=slug)
    if request.GET.get("checkout") == "success":
        messages.info(
            request, _("Thank you. Your payment is being confirmed by Stripe; this page updates when it is.")
        )
    elif request.GET.get("checkout") == "cancelled":
        messages.warning(request, _("The payment was cancelled. Nothing was charged."))
    return render(request, "billing/dashboard.html", {"billing": sponsor_billing(organisation=organisation)})


@login_required
@_allow_stripe_redirects
@_domain_errors
def invoice_detail(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    invoice = access_invoice(user=request.user, slug=slug, number=number)
    form = InvoiceDetailsForm(
        initial={
            "po_number": invoice.po_number,
            "billing_address": invoice.billing_address,
            "tax_id": invoice.tax_id,
        }
    )
    return render(request, "billing/invoice_detail.html", {"invoice": invoice, "form": form})


@login_required
@require_POST
@_domain_errors
def invoice_details(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    invoice = access_invoice(user=request.user, slug=slug, number=number)
    form = InvoiceDetailsForm(request.POST)
    if not form.is_valid():
        return render(request, "billing/invoice_detail.html", {"invoice": invoice, "form": form}, status=400)
    invoice_update_details(invoice=invoice, actor=request.user, **form.cleaned_data)
    messages.success(request, _("The invoice details were saved."))
    return redirect("billing:invoice", slug=slug, number=number)


@login_required
@require_POST
@_domain_errors
def invoice_checkout(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    invoice = access_invoice(user=request.user, slug=slug, number=number)
    base = request.build_absolute_uri(reverse("billing:dashboard", kwargs={"slug": slug}))
    url = checkout_start(
        invoice=invoice,
        actor=request.user,
        success_url=f"{base}?checkout=success",
        cancel_url=f"{base}?checkout=cancelled",
    )
    return HttpResponseRedirect(url, status=303)


@login_required
@require_POST
@_domain_errors
def invoice_send(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    invoice = access_invoice(user=request.user, slug=slug, number=number)
    return HttpResponseRedirect(invoice_send_via_stripe(invoice=invoice, actor=request.user), status=303)


@login_required
@require_POST
@_domain_errors
def portal(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_organisation_billing(user=request.user, slug=slug)
    back = request.build_absolute_uri(reverse("billing:dashboard", kwargs={"slug": slug}))
    return HttpResponseRedirect(portal_session_create(organisation=organisation, return_url=back), status=303)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's deliveries: 400 for a bad signature (nothing stored), 200 otherwise."""
    try:
        _event, created = webhook_receive(
            payload=request.body, header=request.headers.get("Stripe-Signature", "")
        )
    except DomainError as exc:
        log.warning("stripe webhook refused: %s", exc.code)
        return HttpResponse(exc.code, status=400, content_type="text/plain")
    return HttpResponse("ok" if created else "duplicate", content_type="text/plain")
