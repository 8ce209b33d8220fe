"""Stripe's webhook: public, authenticated by the payload's signature, not by a session."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.errors import DomainError
from members.billing.services.webhooks import webhook_receive

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's deliveries: 200 once stored (or already stored); a bad signature or a
    payload that is not a storable event is a 4xx with the API's ``{"code", "message",
    "detail"}`` body, and nothing is stored."""
    try:
        _event, created = webhook_receive(
            payload=request.body, header=request.headers.get("Stripe-Signature", "")
        )
    except DomainError as exc:
        # Not a page for a person: Stripe reads the status and the code, and retries.
        log.warning("stripe webhook refused: %s %s", exc.code, exc.detail or "")
        return JsonResponse(exc.as_dict(), status=exc.http_status)
    return HttpResponse("ok" if created else "duplicate", content_type="text/plain")
