"""The fake Stripe's HTTP side: a threaded stdlib server on loopback.

API requests are form-encoded like real Stripe's (``a[b][0][c]=v``) and answered
with JSON; the checkout, hosted-invoice and portal pages are plain HTML forms.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from members.billing.fakestripe.state import FakeStripeState, StripeFailure, Transport

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's nested form encoding back into dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        head = key.split("[", 1)[0]
        parts = [head, *_KEY_PART.findall(key[len(head) :])]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><p><strong>Fake Stripe</strong> (test mode)</p><h1>{title}</h1>{body}</main></body></html>"""


def _button(action: str, label: str) -> str:
    return f'<form method="post" action="{html.escape(action)}"><button type="submit">{html.escape(label)}</button></form>'


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # --- plumbing ---------------------------------------------------------------------
    def _read(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", {"Request-Id": "req_fake"})

    def _html(self, title: str, body: str, status: int = 200) -> None:
        self._send(
            status, _PAGE.format(title=html.escape(title), body=body).encode(), "text/html; charset=utf-8"
        )

    def _redirect(self, url: str) -> None:
        self._send(303, b"", "text/plain", {"Location": url})

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self._read() if method == "POST" else ""
        try:
            if url.path.startswith("/v1/"):
                self._api(method, url.path, decode_form(body if method == "POST" else url.query))
            else:
                self._page(method, url.path)
        except StripeFailure as failure:
            if url.path.startswith("/v1/"):
                self._json(failure.status, failure.body())
            else:
                self._html("Error", f"<p>{html.escape(str(failure))}</p>", failure.status)

    # --- the API ----------------------------------------------------------------------
    def _api(self, method: str, path: str, params: dict[str, Any]) -> None:
        state = self.server.state
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer sk_") or (
            self.server.api_key and auth != f"Bearer {self.server.api_key}"
        ):
            raise StripeFailure(401, "Invalid API Key provided.", kind="invalid_request_error")
        with state.lock:
            state.requests.append(
                {
                    "method": method,
                    "path": path,
                    "params": params,
                    "version": self.headers.get("Stripe-Version"),
                }
            )
            if state.fail_next_requests > 0:
                state.fail_next_requests -= 1
                raise StripeFailure(500, "An unknown error occurred.", kind="api_error")
            key = self.headers.get("Idempotency-Key") or ""
            if method == "POST" and key and (method, path, key) in state.idempotent:
                status, payload = state.idempotent[(method, path, key)]
                self._json(status, payload)
                return
        payload = self._route(method, path, params)
        if method == "POST" and key:
            state.idempotent[(method, path, key)] = (200, payload)
        self._json(200, payload)

    def _route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        state = self.server.state
        parts = path.strip("/").split("/")[1:]  # without "v1"
        routes: dict[tuple[str, ...], Callable[[], dict[str, Any]]] = {
            ("POST", "customers"): lambda: state.customer_create(params),
            ("POST", "checkout", "sessions"): lambda: state.checkout_create(params),
            ("POST", "invoices"): lambda: state.invoice_create(params),
            ("POST", "invoiceitems"): lambda: state.invoice_item_create(params),
            ("GET", "invoice_payments"): lambda: state.invoice_payments(params.get("invoice", "")),
            ("POST", "refunds"): lambda: state.refund_create(params),
            ("POST", "billing_portal", "sessions"): lambda: state.portal_create(params),
        }
        route = routes.get((method, *parts))
        if route:
            return route()
        if method == "GET" and len(parts) == 2 and parts[0] in ("customers", "invoices", "refunds"):
            return state.get(
                parts[1], {"customers": "customer", "invoices": "invoice", "refunds": "refund"}[parts[0]]
            )
        if method == "GET" and parts[:2] == ["checkout", "sessions"] and len(parts) == 3:
            return state.get(parts[2], "checkout.session")
        if method == "POST" and len(parts) == 3 and parts[0] == "invoices":
            actions: dict[str, Callable[[str], dict[str, Any]]] = {
                "finalize": state.invoice_finalize,
                "send": state.invoice_send,
                "void": state.invoice_void,
                "mark_uncollectible": state.invoice_mark_uncollectible,
                "pay": state.invoice_pay,
            }
            if parts[2] in actions:
                return actions[parts[2]](parts[1])
        raise StripeFailure(404, f"Unrecognized request URL ({method}: {path}).")

    # --- the pages a payer sees ----------------------------------------------------------
    def _page(self, method: str, path: str) -> None:
        state = self.server.state
        parts = path.strip("/").split("/")
        if parts[0] == "checkout" and len(parts) >= 2:
            session = state.get(parts[1], "checkout.session")
            action = parts[2] if len(parts) > 2 else ""
            if method == "POST" and action == "pay":
                state.checkout_pay(session["id"])
                self._redirect(str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session["id"]))
                return
            if method == "POST" and action == "cancel":
                self._redirect(str(session["cancel_url"]))
                return
            notice = ""
            if method == "POST" and action == "fail":
                state.checkout_fail(session["id"])
                notice = '<p role="alert">Your card was declined.</p>'
            if session["status"] != "open":
                self._html("Checkout", "<p>This checkout session is complete.</p>")
                return
            amount = f"{session['amount_total']} {str(session['currency']).upper()} (minor units)"
            base = f"/checkout/{session['id']}"
            self._html(
                "Checkout",
                f"{notice}<p>Amount: {html.escape(amount)}</p>"
                + _button(f"{base}/pay", "Pay")
                + _button(f"{base}/fail", "Pay with a card that is declined")
                + _button(f"{base}/cancel", "Cancel"),
            )
            return
        if parts[0] == "invoice" and len(parts) >= 2:
            invoice = state.get(parts[1], "invoice")
            action = parts[2] if len(parts) > 2 else ""
            if method == "POST" and action == "pay":
                state.invoice_pay(invoice["id"])
            elif method == "POST" and action == "fail":
                state.invoice_fail(invoice["id"])
            base = f"/invoice/{invoice['id']}"
            buttons = ""
            if invoice["status"] in ("open", "uncollectible"):
                buttons = _button(f"{base}/pay", "Pay") + _button(
                    f"{base}/fail", "Pay with a card that is declined"
                )
            self._html(
                f"Invoice {invoice['number']}",
                f"<p>Status: {html.escape(invoice['status'])}</p><p>Amount due: {invoice['amount_due']} "
                f"{html.escape(str(invoice['currency']).upper())} (minor units)</p>{buttons}",
            )
            return
        if parts[0] == "portal" and len(parts) == 2:
            portal = state.get(parts[1], "billing_portal.session")
            link = html.escape(str(portal["return_url"]))
            self._html(
                "Customer portal", f'<p>Payment methods: none saved.</p><p><a href="{link}">Return</a></p>'
            )
            return
        if parts[0] == "receipt":
            self._html("Receipt", "<p>Receipt (fake).</p>")
            return
        raise StripeFailure(404, "Not found.")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: FakeStripeState
    api_key: str


class FakeStripe:
    """A fake Stripe on loopback: ``with FakeStripe(webhook_url=..., webhook_secret=...) as fake:``.

    ``fake.url`` is the address to give ``StripeClient`` (``base_addresses``). Events are
    delivered to ``webhook_url`` (or through ``transport(body, signature_header)``) as
    they happen, unless ``auto_deliver=False`` or ``fake.state.hold`` is set; then
    ``fake.deliver(order=..., duplicate=...)`` sends them. ``clock`` (seconds) signs.
    """

    def __init__(
        self,
        *,
        webhook_url: str = "",
        webhook_secret: str = "whsec_fake",  # noqa: S107  (the fake signs with whatever the test gives)
        api_key: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] | None = None,
        auto_deliver: bool = True,
        transport: Transport | None = None,
    ) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.api_key = api_key
        self.state = FakeStripeState(
            base_url=lambda: self.url,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            clock=clock,
            auto_deliver=auto_deliver,
            transport=transport,
        )
        self._server.state = self.state
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeStripe:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-stripe", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Shortcuts to what a payer or the Dashboard would do.
    def __getattr__(self, name: str) -> Any:
        if name in ("state", "_server", "_thread"):
            raise AttributeError(name)
        return getattr(self.state, name)
