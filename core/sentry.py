"""Optional error reporting through sentry-sdk, with personal data scrubbed.

Turned on by ``SENTRY_DSN`` (config/settings/base.py). What leaves the server is the
exception, its stack (without local variables), the route pattern as the transaction name,
the request method and the request id. ``scrub_event`` (``before_send``) removes the
request's body, query string, cookies, headers (but a few harmless ones) and raw URL, any
user other than an id, and masks email addresses and tracker codes anywhere in the event:
an exception's message can quote an address ("recipient refused: …").
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from core.logs import redact

#: Request headers that name no person and help to read a report.
SAFE_HEADERS = frozenset({"content-type", "content-length", "accept", "x-request-id", "x-forwarded-proto"})


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """``before_send``: keep what explains the error, drop what names or tracks a person."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "query_string", "cookies", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in SAFE_HEADERS}
        url = request.get("url")
        if isinstance(url, str):
            request["url"] = url.split("?", 1)[0].split("#", 1)[0]
            # The path itself may hold a tracker; the route is the transaction name.
            transaction = event.get("transaction")
            if isinstance(transaction, str) and transaction:
                request["url"] = transaction
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for crumb in (event.get("breadcrumbs") or {}).get("values", []) or []:
        if isinstance(crumb, dict) and crumb.get("category") in {"query", "http"}:
            crumb.pop("data", None)
    return _mask(event)


def sentry_init(*, dsn: str, environment: str, transport: Any = None) -> None:
    """Turn error reporting on (``transport``: tests catch the events instead of sending them)."""
    sentry_sdk.init(
        transport=transport,
        dsn=dsn,
        environment=environment,
        # What integrations may collect (sentry-sdk's successor to send_default_pii=False):
        # no user, cookies, query strings, bodies, SQL parameters or frame variables, and
        # of the headers only those scrub_event keeps anyway.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(SAFE_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,  # a frame's locals may hold a ballot or an address
        },
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=scrub_event,  # type: ignore[arg-type]
        integrations=[DjangoIntegration(transaction_style="url"), CeleryIntegration()],
    )
