"""Correctly signed webhooks whose body is not a storable event: a 400 saying what is wrong,
with the API's {"code", "message", "detail"} body, never a 500, and nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.models import OutboxMessage
from members.billing.fakestripe import sign_payload
from members.billing.models import StripeEvent
from members.billing.services.webhooks import MAX_PAYLOAD_DEPTH
from tests.billing.conftest import WEBHOOK_PATH

pytestmark = pytest.mark.django_db


def _event(**fields: Any) -> dict[str, Any]:
    return {
        "id": "evt_test_input",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": 1780315200,
        "data": {"object": {"id": "cus_1", "object": "customer"}},
        "livemode": False,
        "type": "customer.created",
        **fields,
    }


def _post(client, fake_stripe, body: bytes):
    """POST ``body`` signed with the endpoint's secret, as Stripe would."""
    header = sign_payload(body, secret=fake_stripe.webhook_secret, timestamp=fake_stripe.now())
    return client.post(WEBHOOK_PATH, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def _refused(response, field: str) -> dict[str, Any]:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "bad_payload" and body["message"] and body["detail"] == {"field": field}
    assert not StripeEvent.objects.exists()
    assert not OutboxMessage.objects.exists()
    return body


def test_a_well_formed_event_is_stored(client, fake_stripe):
    assert _post(client, fake_stripe, json.dumps(_event()).encode()).status_code == 200
    assert StripeEvent.objects.get().stripe_created.year == 2026


@pytest.mark.parametrize("created", ["x", 1e20, -1, True, [1], {"t": 1}, 10**30, "1780315200"])
def test_created_that_is_not_a_unix_time_is_refused(client, fake_stripe, created):
    body = _refused(_post(client, fake_stripe, json.dumps(_event(created=created)).encode()), "created")
    assert "created" in body["message"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(client, fake_stripe, constant):
    text = json.dumps(_event(created=0)).replace('"created": 0', f'"created": {constant}')
    _refused(_post(client, fake_stripe, text.encode()), "payload")


def test_nesting_deep_enough_to_raise_recursion_error_is_refused(client, fake_stripe):
    depth = 200_000  # json.loads raises RecursionError long before this
    text = json.dumps(_event(data=None)).replace('"data": null', '"data": ' + "[" * depth + "]" * depth)
    with pytest.raises(RecursionError):
        json.loads(text)
    body = _refused(_post(client, fake_stripe, text.encode()), "payload")
    assert "nest" in body["message"]


def test_nesting_deeper_than_the_bound_is_refused(client, fake_stripe):
    nested: Any = "deep"
    for _ in range(MAX_PAYLOAD_DEPTH + 1):
        nested = {"a": nested}
    body = _refused(_post(client, fake_stripe, json.dumps(_event(data=nested)).encode()), "payload")
    assert str(MAX_PAYLOAD_DEPTH) in body["message"]


def test_a_number_too_large_for_a_float_is_refused(client, fake_stripe):
    text = json.dumps(_event(data={"object": {"id": "cus_1", "balance": 0}})).replace(
        '"balance": 0', '"balance": 1e999'
    )
    _refused(_post(client, fake_stripe, text.encode()), "payload")


@pytest.mark.parametrize("text", ["nul\u0000here", "lone \ud800 surrogate"])
def test_strings_the_database_cannot_keep_are_refused(client, fake_stripe, text):
    body = json.dumps(_event(data={"object": {"id": "cus_1", "name": text}})).encode()
    _refused(_post(client, fake_stripe, body), "payload")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "evt_" + "x" * 100),
        ("id", {"nested": "id"}),
        ("id", ""),
        ("type", 7),
        ("api_version", "v" * 41),
    ],
)
def test_ids_that_do_not_fit_are_refused(client, fake_stripe, field, value):
    _refused(_post(client, fake_stripe, json.dumps(_event(**{field: value})).encode()), field)


@pytest.mark.parametrize("body", [b"[1, 2]", b'"event"', b"{not json"])
def test_a_body_that_is_not_an_event_object_is_refused(client, fake_stripe, body):
    _refused(_post(client, fake_stripe, body), "payload")


def test_a_bad_signature_also_answers_in_json(client, fake_stripe):
    body = json.dumps(_event()).encode()
    response = client.post(
        WEBHOOK_PATH, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE="t=1,v1=00"
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_signature"
    assert not StripeEvent.objects.exists()
