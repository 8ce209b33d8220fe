"""Error reporting (sentry-sdk, when SENTRY_DSN is set) sends the error, not the person."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from sentry_sdk.transport import Transport

from core.sentry import scrub_event, sentry_init

ADDRESS = "ada@example.org"
TRACKER = "7K3Q-9XZ2-ABCD-EFGH"


def _boom(request: HttpRequest, code: str) -> HttpResponse:
    raise ValueError(f"could not mail {ADDRESS} about {code}")


urlpatterns = [path("boom/<str:code>/", _boom)]  # this module is the URLconf of the test below


def test_the_scrubber_drops_request_data_and_the_user_and_masks_addresses():
    event: dict[str, Any] = {
        "transaction": "/api/v1/elections/{id}/trackers/{code}/",
        "request": {
            "url": f"https://charter.example.org/api/v1/elections/e/trackers/{TRACKER}/?email={ADDRESS}",
            "method": "POST",
            "query_string": f"email={ADDRESS}",
            "data": {"login": ADDRESS, "password": "secret"},
            "cookies": {"sessionid": "abc"},
            "headers": {
                "Cookie": "sessionid=abc",
                "Authorization": "Bearer x",
                "User-Agent": "ua",
                "X-Request-ID": "r-1234567890",
            },
            "env": {"REMOTE_ADDR": "192.0.2.1"},
        },
        "user": {"id": "42", "email": ADDRESS, "ip_address": "192.0.2.1", "username": "ada"},
        "exception": {
            "values": [{"type": "ValueError", "value": f"recipient refused: {ADDRESS}, {TRACKER}"}]
        },
        "breadcrumbs": {
            "values": [{"category": "query", "message": "SELECT 1", "data": {"params": [ADDRESS]}}]
        },
        "extra": {"note": f"for {ADDRESS}"},
    }
    scrubbed = scrub_event(event, {})
    text = repr(scrubbed)
    assert ADDRESS not in text and TRACKER not in text and "secret" not in text and "192.0.2.1" not in text
    request = scrubbed["request"]
    assert set(request) == {"url", "method", "headers"}
    assert request["url"] == "/api/v1/elections/{id}/trackers/{code}/"
    assert request["headers"] == {"X-Request-ID": "r-1234567890"}
    assert scrubbed["user"] == {"id": "42"}
    assert scrubbed["exception"]["values"][0]["value"] == "recipient refused: [email], [tracker]"
    assert "data" not in scrubbed["breadcrumbs"]["values"][0]


class Catch(Transport):
    """Keeps the events instead of sending them."""

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Any) -> None:
        self.events.extend(item.payload.json for item in envelope.items if item.type == "event")


@pytest.fixture
def reported() -> Iterator[Catch]:
    catch = Catch({"dsn": "https://public@sentry.invalid/1"})
    sentry_init(dsn="https://public@sentry.invalid/1", environment="test", transport=catch)
    yield catch
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # off again for every other test


@pytest.mark.django_db
def test_a_server_error_is_reported_without_the_person(reported, settings):
    options = sentry_sdk.get_client().options
    assert options["data_collection"]["user_info"] is False and options["include_local_variables"] is False
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.post(
        f"/boom/{TRACKER}/?email={ADDRESS}", {"login": ADDRESS}, HTTP_COOKIE="sessionid=abc"
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    assert reported.events, "the error was not reported"
    event = reported.events[-1]
    text = repr(event)
    assert ADDRESS not in text and TRACKER not in text and "sessionid" not in text
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["transaction"] == "/boom/{code}/"  # the route, not the path
    assert set(event["request"]) <= {"url", "method", "headers"}
    assert event["request"].get("url", event["transaction"]) == event["transaction"]
