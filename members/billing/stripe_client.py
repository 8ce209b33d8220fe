"""The one Stripe client: stripe-python's ``StripeClient`` with the pinned API version.

With ``STRIPE_API_BASE`` set (the fake Stripe in tests and the demo) every request
goes there through ``base_addresses``; ``StripeClient`` ignores the global
``stripe.api_base``. Calls are never made inside a database transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import stripe
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from core.errors import Unavailable

T = TypeVar("T")


def stripe_client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    addresses: Any = {"api": base} if base else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        stripe_version=settings.STRIPE_API_VERSION,
        base_addresses=addresses,
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def in_transaction() -> bool:
    """True inside an ``atomic()`` block of the app (a test case's own wrapper excluded)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


# Errors worth retrying: the network, Stripe's side, rate limits.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    stripe.APIConnectionError,
    stripe.RateLimitError,
)


def is_transient(exc: Exception) -> bool:
    if isinstance(exc, TRANSIENT_ERRORS):
        return True
    status = getattr(exc, "http_status", None)
    return isinstance(exc, stripe.StripeError) and status is not None and status >= 500


class StripeUnreachable(Unavailable):
    """Stripe could not be reached or failed on its side: worth retrying later."""

    default_code = "stripe_unavailable"


def stripe_call(fn: Callable[[stripe.StripeClient], T]) -> T:
    """Run one Stripe request outside any transaction; map failures to ``Unavailable``."""
    if in_transaction():
        # The house rule, enforced: an HTTP call inside a transaction holds locks for
        # as long as Stripe takes, and cannot be rolled back.
        raise RuntimeError("Stripe must not be called inside a database transaction")
    try:
        return fn(stripe_client())
    except stripe.StripeError as exc:
        if is_transient(exc):
            raise StripeUnreachable(
                _(
                    "The payment provider could not be reached. Nothing was charged; please try again in a few minutes."
                ),
                code="stripe_unavailable",
            ) from exc
        raise Unavailable(
            _("The payment provider refused the request. Nothing was charged; the treasurer has been told."),
            code="stripe_error",
            detail={"stripe_code": getattr(exc, "code", None)},
        ) from exc
