"""The fake Stripe's in-memory world: objects shaped like API version 2025-09-30.clover,
the events they produce, and signed delivery of those events to a webhook.

No Django import: the fake runs in tests and as a stand-alone demo process.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import random
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

API_VERSION = "2025-09-30.clover"
Transport = Callable[[bytes, str], int]


class StripeFailure(Exception):
    """An API error the fake answers with (status, type, message, code)."""

    def __init__(
        self, status: int, message: str, *, kind: str = "invalid_request_error", code: str = ""
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.code = status, kind, code

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.kind, "message": str(self)}
        if self.code:
            error["code"] = self.code
        return {"error": error}


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def sign_payload(body: bytes, *, secret: str, timestamp: int) -> str:
    """A ``Stripe-Signature`` header exactly as Stripe builds it."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class FakeStripeState:
    """Objects by id, events in emission order, and the webhook outbox."""

    def __init__(
        self,
        *,
        base_url: Callable[[], str],
        webhook_url: str = "",
        webhook_secret: str = "",
        clock: Callable[[], float] | None = None,
        auto_deliver: bool = True,
        transport: Transport | None = None,
    ) -> None:
        self.base_url = base_url
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.clock = clock or time.time
        self.auto_deliver = auto_deliver
        self.transport = transport
        self.hold = False  # keep events until ``deliver()`` is called
        self.delivery_delay = 0.0  # seconds, for auto delivery
        self.duplicate_deliveries = 1  # each event sent this many times
        self.fail_next_requests = 0  # the next N API requests answer 500
        self.objects: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []
        self.deliveries: list[tuple[str, int]] = []
        self.requests: list[dict[str, Any]] = []
        self.idempotent: dict[tuple[str, str, str], tuple[int, dict[str, Any]]] = {}
        self.lock = threading.RLock()

    # --- helpers ----------------------------------------------------------------------
    def now(self) -> int:
        return int(self.clock())

    def get(self, object_id: str, kind: str) -> dict[str, Any]:
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise StripeFailure(404, f"No such {kind}: '{object_id}'", code="resource_missing")
        return obj

    def _store(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        return obj

    def emit(
        self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Record an event about ``obj`` (a snapshot) and deliver it if delivery is automatic."""
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if previous:
            data["previous_attributes"] = previous
        event = {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
        with self.lock:
            self.events.append(event)
            self.outbox.append(event)
        return event

    def flush_automatically(self) -> None:
        if not self.auto_deliver or self.hold:
            return
        if self.delivery_delay:
            timer = threading.Timer(self.delivery_delay, self.deliver)
            timer.daemon = True
            timer.start()
        else:
            self.deliver()

    # --- webhook delivery -------------------------------------------------------------
    def deliver(self, *, order: str = "emitted", duplicate: int | None = None, seed: int = 0) -> list[int]:
        """Send every queued event, signed with the caller's clock; returns the statuses.

        ``order``: "emitted", "reverse" or "shuffle" (seeded). ``duplicate``: copies of each.
        """
        with self.lock:
            batch, self.outbox = self.outbox, []
        if order == "reverse":
            batch.reverse()
        elif order == "shuffle":
            random.Random(seed).shuffle(batch)
        copies = duplicate if duplicate is not None else self.duplicate_deliveries
        statuses = []
        for event in batch:
            for _ in range(copies):
                statuses.append(self.send(event))
        return statuses

    def send(self, event: dict[str, Any], *, secret: str | None = None, timestamp: int | None = None) -> int:
        body = json.dumps(event).encode()
        header = sign_payload(
            body,
            secret=secret if secret is not None else self.webhook_secret,
            timestamp=timestamp or self.now(),
        )
        status = self.transport(body, header) if self.transport else self._post(body, header)
        with self.lock:
            self.deliveries.append((event["id"], status))
        return status

    def _post(self, body: bytes, header: str) -> int:
        request = urllib.request.Request(  # noqa: S310  (loopback URL given by the caller)
            self.webhook_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except OSError:
            return 0

    # --- API: customers, Checkout, invoices, refunds, portal --------------------------
    def customer_create(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._store(
            {
                "id": _id("cus"),
                "object": "customer",
                "created": self.now(),
                "email": params.get("email"),
                "name": params.get("name"),
                "metadata": params.get("metadata") or {},
                "invoice_settings": {"default_payment_method": None},
                "livemode": False,
            }
        )

    def checkout_create(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("customer"):
            self.get(params["customer"], "customer")
        items = params.get("line_items") or []
        total = sum(int(i.get("quantity", 1)) * int(i["price_data"]["unit_amount"]) for i in items)
        currency = items[0]["price_data"]["currency"] if items else "usd"
        session_id = _id("cs")
        return self._store(
            {
                "id": session_id,
                "object": "checkout.session",
                "amount_subtotal": total,
                "amount_total": total,
                "cancel_url": params.get("cancel_url"),
                "client_reference_id": params.get("client_reference_id"),
                "created": self.now(),
                "currency": currency,
                "customer": params.get("customer"),
                "expires_at": self.now() + 86400,
                "invoice": None,
                "invoice_creation": {
                    "enabled": str((params.get("invoice_creation") or {}).get("enabled")).lower() == "true",
                    "invoice_data": (params.get("invoice_creation") or {}).get("invoice_data") or {},
                },
                "livemode": False,
                "metadata": params.get("metadata") or {},
                "mode": params.get("mode", "payment"),
                "payment_intent": None,
                "payment_intent_data": params.get("payment_intent_data") or {},
                "payment_status": "unpaid",
                "status": "open",
                "success_url": params.get("success_url"),
                "url": f"{self.base_url()}/checkout/{session_id}",
            }
        )

    def _charge(
        self, *, amount: int, currency: str, customer: str | None, metadata: dict[str, Any]
    ) -> dict[str, Any]:
        intent = self._store(
            {
                "id": _id("pi"),
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": currency,
                "customer": customer,
                "metadata": metadata,
                "status": "succeeded",
                "created": self.now(),
                "livemode": False,
            }
        )
        charge = self._store(
            {
                "id": _id("ch"),
                "object": "charge",
                "amount": amount,
                "amount_captured": amount,
                "amount_refunded": 0,
                "captured": True,
                "created": self.now(),
                "currency": currency,
                "customer": customer,
                "livemode": False,
                "metadata": {},
                "paid": True,
                "payment_intent": intent["id"],
                "receipt_url": f"{self.base_url()}/receipt/{intent['id']}",
                "refunded": False,
                "status": "succeeded",
            }
        )
        intent["latest_charge"] = charge["id"]
        return intent

    def _invoice(
        self, *, customer: str | None, currency: str, metadata: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        invoice_id = _id("in")
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "amount_due": 0,
            "amount_paid": 0,
            "amount_remaining": 0,
            "attempt_count": 0,
            "attempted": False,
            "auto_advance": False,
            "collection_method": "charge_automatically",
            "created": self.now(),
            "currency": currency,
            "custom_fields": None,
            "customer": customer,
            "due_date": None,
            "footer": None,
            "hosted_invoice_url": None,
            "invoice_pdf": None,
            "lines": {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            "livemode": False,
            "metadata": metadata,
            "number": None,
            "parent": None,
            "status": "draft",
            "status_transitions": {
                "finalized_at": None,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            "subtotal": 0,
            "total": 0,
        }
        invoice.update(extra)
        return self._store(invoice)

    def _add_line(self, invoice: dict[str, Any], amount: int, description: str) -> None:
        invoice["lines"]["data"].append(
            {
                "id": _id("il"),
                "object": "line_item",
                "amount": amount,
                "currency": invoice["currency"],
                "description": description,
            }
        )
        total = sum(line["amount"] for line in invoice["lines"]["data"])
        invoice.update(
            subtotal=total, total=total, amount_due=total, amount_remaining=total - invoice["amount_paid"]
        )

    def _finalize(self, invoice: dict[str, Any]) -> None:
        invoice["status"] = "open"
        invoice["number"] = f"FAKE-{len([o for o in self.objects.values() if o['object'] == 'invoice']):04d}"
        invoice["hosted_invoice_url"] = f"{self.base_url()}/invoice/{invoice['id']}"
        invoice["invoice_pdf"] = f"{self.base_url()}/invoice/{invoice['id']}/pdf"
        invoice["status_transitions"]["finalized_at"] = self.now()

    def _mark_invoice_paid(self, invoice: dict[str, Any], intent: dict[str, Any], amount: int) -> None:
        invoice.update(status="paid", amount_paid=amount, amount_remaining=0, attempted=True)
        invoice["attempt_count"] += 1
        invoice["status_transitions"]["paid_at"] = self.now()
        self._store(
            {
                "id": _id("inpay"),
                "object": "invoice_payment",
                "amount_paid": amount,
                "amount_requested": amount,
                "created": self.now(),
                "currency": invoice["currency"],
                "invoice": invoice["id"],
                "is_default": True,
                "livemode": False,
                "payment": {"type": "payment_intent", "payment_intent": intent["id"]},
                "status": "paid",
                "status_transitions": {"canceled_at": None, "paid_at": self.now()},
            }
        )

    def checkout_pay(
        self, session_id: str, *, amount_total: int | None = None, currency: str | None = None
    ) -> dict[str, Any]:
        """The payer pressed "Pay". ``amount_total``/``currency`` let a test make Stripe disagree."""
        with self.lock:
            session = self.get(session_id, "checkout.session")
            if session["status"] != "open":
                raise StripeFailure(400, "This Checkout session is no longer open.")
            amount = session["amount_total"] if amount_total is None else amount_total
            cur = currency or session["currency"]
            session.update(amount_total=amount, currency=cur)
            metadata = dict(session["payment_intent_data"].get("metadata") or {})
            intent = self._charge(
                amount=amount, currency=cur, customer=session["customer"], metadata=metadata
            )
            charge = self.objects[intent["latest_charge"]]
            invoice = None
            if session["invoice_creation"]["enabled"]:
                invoice = self._invoice(
                    customer=session["customer"],
                    currency=cur,
                    metadata=dict(session["invoice_creation"]["invoice_data"].get("metadata") or {}),
                )
                self._add_line(invoice, amount, "Checkout")
                self._finalize(invoice)
                self._mark_invoice_paid(invoice, intent, amount)
            session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            session["invoice"] = invoice["id"] if invoice else None
            self.emit("charge.succeeded", charge)
            self.emit("payment_intent.succeeded", intent)
            if invoice:
                self.emit("invoice.paid", invoice)
                self.emit("invoice.payment_succeeded", invoice)
            self.emit("checkout.session.completed", session)
        self.flush_automatically()
        return session

    def checkout_fail(self, session_id: str) -> dict[str, Any]:
        with self.lock:
            session = self.get(session_id, "checkout.session")
            intent = {
                "id": _id("pi"),
                "object": "payment_intent",
                "status": "requires_payment_method",
                "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
            }
            self.emit("payment_intent.payment_failed", intent)
        self.flush_automatically()
        return session

    def invoice_create(self, params: dict[str, Any]) -> dict[str, Any]:
        self.get(params.get("customer", ""), "customer")
        return self._invoice(
            customer=params["customer"],
            currency=params.get("currency", "usd"),
            metadata=params.get("metadata") or {},
            collection_method=params.get("collection_method", "charge_automatically"),
            due_date=int(params["due_date"]) if params.get("due_date") else None,
            footer=params.get("footer"),
            custom_fields=params.get("custom_fields") or None,
        )

    def invoice_item_create(self, params: dict[str, Any]) -> dict[str, Any]:
        invoice = self.get(params.get("invoice", ""), "invoice")
        if invoice["status"] != "draft":
            raise StripeFailure(400, "You can only add invoice items to draft invoices.")
        amount = int(params["amount"])
        self._add_line(invoice, amount, params.get("description", ""))
        return self._store(
            {
                "id": _id("ii"),
                "object": "invoiceitem",
                "amount": amount,
                "currency": params.get("currency"),
                "customer": params.get("customer"),
                "invoice": invoice["id"],
                "metadata": params.get("metadata") or {},
            }
        )

    def invoice_finalize(self, invoice_id: str) -> dict[str, Any]:
        invoice = self.get(invoice_id, "invoice")
        if invoice["status"] == "draft":
            self._finalize(invoice)
            self.emit("invoice.finalized", invoice)
            self.flush_automatically()
        return invoice

    def invoice_send(self, invoice_id: str) -> dict[str, Any]:
        invoice = self.get(invoice_id, "invoice")
        if invoice["status"] != "open":
            raise StripeFailure(400, "You can only send open invoices.")
        self.emit("invoice.sent", invoice)
        self.flush_automatically()
        return invoice

    def invoice_pay(self, invoice_id: str, *, amount: int | None = None) -> dict[str, Any]:
        """The payer paid on the hosted invoice page."""
        with self.lock:
            invoice = self.get(invoice_id, "invoice")
            if invoice["status"] not in ("open", "uncollectible"):
                raise StripeFailure(400, "Invoice is not payable.")
            paid = invoice["amount_due"] if amount is None else amount
            intent = self._charge(
                amount=paid, currency=invoice["currency"], customer=invoice["customer"], metadata={}
            )
            self._mark_invoice_paid(invoice, intent, paid)
            self.emit("charge.succeeded", self.objects[intent["latest_charge"]])
            self.emit("invoice.paid", invoice)
            self.emit("invoice.payment_succeeded", invoice)
        self.flush_automatically()
        return invoice

    def invoice_fail(self, invoice_id: str) -> dict[str, Any]:
        with self.lock:
            invoice = self.get(invoice_id, "invoice")
            invoice["attempt_count"] += 1
            invoice["attempted"] = True
            self.emit("invoice.payment_failed", invoice)
        self.flush_automatically()
        return invoice

    def invoice_void(self, invoice_id: str) -> dict[str, Any]:
        invoice = self.get(invoice_id, "invoice")
        if invoice["status"] not in ("open", "uncollectible"):
            raise StripeFailure(400, "You can only void open or uncollectible invoices.")
        invoice["status"] = "void"
        invoice["status_transitions"]["voided_at"] = self.now()
        self.emit("invoice.voided", invoice)
        self.flush_automatically()
        return invoice

    def invoice_mark_uncollectible(self, invoice_id: str) -> dict[str, Any]:
        invoice = self.get(invoice_id, "invoice")
        if invoice["status"] != "open":
            raise StripeFailure(400, "You can only mark open invoices uncollectible.")
        invoice["status"] = "uncollectible"
        invoice["status_transitions"]["marked_uncollectible_at"] = self.now()
        self.emit("invoice.marked_uncollectible", invoice)
        self.flush_automatically()
        return invoice

    def invoice_payments(self, invoice_id: str) -> dict[str, Any]:
        data = [
            o
            for o in self.objects.values()
            if o["object"] == "invoice_payment" and o["invoice"] == invoice_id
        ]
        return {"object": "list", "data": data, "has_more": False, "url": "/v1/invoice_payments"}

    def refund_create(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            intent = self.get(params.get("payment_intent", ""), "payment_intent")
            charge = self.objects[intent["latest_charge"]]
            remaining = charge["amount"] - charge["amount_refunded"]
            amount = int(params.get("amount", remaining))
            if amount <= 0 or amount > remaining:
                raise StripeFailure(400, "Refund amount is greater than the unrefunded amount.")
            refund = self._store(
                {
                    "id": _id("re"),
                    "object": "refund",
                    "amount": amount,
                    "charge": charge["id"],
                    "currency": charge["currency"],
                    "payment_intent": intent["id"],
                    "status": "succeeded",
                    "created": self.now(),
                    "metadata": params.get("metadata") or {},
                }
            )
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
            self.emit("refund.created", refund)
            self.emit("charge.refunded", charge, {"amount_refunded": charge["amount_refunded"] - amount})
        self.flush_automatically()
        return refund

    def portal_create(self, params: dict[str, Any]) -> dict[str, Any]:
        self.get(params.get("customer", ""), "customer")
        session_id = _id("bps")
        return self._store(
            {
                "id": session_id,
                "object": "billing_portal.session",
                "customer": params["customer"],
                "return_url": params.get("return_url"),
                "url": f"{self.base_url()}/portal/{session_id}",
                "created": self.now(),
                "livemode": False,
            }
        )
