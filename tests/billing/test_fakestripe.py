"""The fake Stripe behaves like Stripe where the app and the tests rely on it."""

from __future__ import annotations

import pytest
import requests
import stripe

from members.billing.fakestripe import FakeStripe, decode_form, sign_payload


def _client(fake: FakeStripe, key: str = "sk_test_x") -> stripe.StripeClient:
    return stripe.StripeClient(
        key,
        stripe_version="2025-09-30.clover",
        base_addresses={"api": fake.url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=5),
    )


def _session(client: stripe.StripeClient, customer: str) -> stripe.checkout.Session:
    return client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "customer": customer,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "jpy",
                        "unit_amount": 500000,
                        "product_data": {"name": "Dues"},
                    },
                }
            ],
            "success_url": "http://example.test/ok?session={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://example.test/cancel",
        }
    )


def test_decode_form_rebuilds_nested_dicts_and_lists():
    body = "a=1&m%5Bk%5D=v&l%5B0%5D%5Bq%5D=2&l%5B1%5D%5Bq%5D=3"
    assert decode_form(body) == {"a": "1", "m": {"k": "v"}, "l": [{"q": "2"}, {"q": "3"}]}


def test_requests_without_a_secret_key_are_refused():
    with FakeStripe() as fake, pytest.raises(stripe.AuthenticationError):
        _client(fake, key="pk_test_wrong").v1.customers.create(params={"name": "x"})


def test_idempotency_key_returns_the_first_response():
    with FakeStripe() as fake:
        client = _client(fake)
        first = client.v1.customers.create(params={"name": "x"}, options={"idempotency_key": "k"})
        again = client.v1.customers.create(params={"name": "x"}, options={"idempotency_key": "k"})
    assert first.id == again.id


def test_unknown_object_is_resource_missing():
    with FakeStripe() as fake, pytest.raises(stripe.InvalidRequestError) as exc:
        _client(fake).v1.invoices.retrieve("in_nope")
    assert exc.value.code == "resource_missing"


def test_checkout_page_cancel_redirects_to_cancel_url():
    with FakeStripe(auto_deliver=False) as fake:
        client = _client(fake)
        session = _session(client, client.v1.customers.create(params={"name": "x"}).id)
        response = requests.post(f"{session.url}/cancel", allow_redirects=False, timeout=5)
    assert response.status_code == 303 and response.headers["Location"] == "http://example.test/cancel"
    assert fake.events == []


def test_checkout_page_pay_redirects_to_success_url_with_the_session_id():
    with FakeStripe(auto_deliver=False) as fake:
        client = _client(fake)
        session = _session(client, client.v1.customers.create(params={"name": "x"}).id)
        page = requests.get(session.url, timeout=5).text
        response = requests.post(f"{session.url}/pay", allow_redirects=False, timeout=5)
    assert "<script" not in page and "Pay" in page
    assert response.headers["Location"] == f"http://example.test/ok?session={session.id}"
    assert [e["type"] for e in fake.events][-1] == "checkout.session.completed"


def test_declined_card_keeps_the_session_open():
    with FakeStripe(auto_deliver=False) as fake:
        client = _client(fake)
        session = _session(client, client.v1.customers.create(params={"name": "x"}).id)
        page = requests.post(f"{session.url}/fail", timeout=5).text
        assert "declined" in page
        assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_events_are_signed_with_the_given_clock():
    received = []
    with FakeStripe(
        webhook_secret="whsec_a",
        clock=lambda: 2_000_000_000.0,
        transport=lambda b, h: received.append((b, h)) or 200,
    ) as fake:
        fake.emit("ping", {"id": "x", "object": "thing"})
        fake.deliver()
    body, header = received[0]
    assert header == sign_payload(body, secret="whsec_a", timestamp=2_000_000_000)
    stripe.WebhookSignature.verify_header(body.decode(), header, "whsec_a", tolerance=None)


def test_held_events_can_be_delivered_reversed_and_duplicated():
    received = []
    with FakeStripe(transport=lambda b, h: received.append(b) or 200, auto_deliver=False) as fake:
        first = fake.emit("a", {"id": "1", "object": "x"})
        second = fake.emit("b", {"id": "2", "object": "x"})
        fake.deliver(order="reverse", duplicate=2)
    ids = [__import__("json").loads(b)["id"] for b in received]
    assert ids == [second["id"], second["id"], first["id"], first["id"]]
