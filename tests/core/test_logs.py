"""Logs: JSON lines with a request id that follows the request into its jobs, route patterns
instead of paths, and never an email address, a tracker or who voted."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from core.logs import (
    ContextFilter,
    JsonFormatter,
    PlainFormatter,
    redact,
    request_id_context,
)
from core.models import OutboxMessage, User
from core.outbox import enqueue, relay_outbox
from core.services.api_tokens import api_token_create
from elections.models import Election, PendingReceipt, RollEntry, Tracker
from elections.selectors import ballot_candidates
from members.models import Membership
from tests.core import test_outbox

pytestmark = pytest.mark.django_db
private_redis = test_outbox.private_redis  # a private redis-server this test can start

DEMO_PASSWORD = "charter-demo-2026"


class Captured:
    """Everything logged while it is installed, as the JSON lines production writes."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())
        self.handler.addFilter(ContextFilter())
        self.handler.setLevel(logging.DEBUG)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def captured(settings: Any) -> Iterator[Captured]:
    # Celery's Django fix-up calls django.setup() when jobs run in process, which would
    # configure logging afresh and drop this handler: keep the configuration as it is.
    settings.LOGGING_CONFIG = None
    capture = Captured()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(capture.handler)
    root.setLevel(logging.DEBUG)
    # Loggers configured at WARNING (django.request, celery's trace) are let through too.
    quieted = {name: logging.getLogger(name).level for name in ("django.request", "celery.app.trace")}
    for name in quieted:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture.handler)
        root.setLevel(previous)
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)


def _requests(capture: Captured) -> list[dict[str, Any]]:
    return [r for r in capture.records() if r["logger"] == "charter.request"]


# --- request ids ---------------------------------------------------------------------------------


def test_a_well_formed_incoming_request_id_is_kept_and_returned(captured):
    response = Client().get("/", HTTP_X_REQUEST_ID="lb-2f6c1a9e-0001")
    assert response["X-Request-ID"] == "lb-2f6c1a9e-0001"
    [record] = _requests(captured)
    assert record["request_id"] == "lb-2f6c1a9e-0001"
    assert record == {**record, "method": "GET", "route": "", "status": 200, "authenticated": False}


@pytest.mark.parametrize(
    "incoming", ["", "short", "ada@example.org-0001", "with space 0001", "x" * 200, "<script>0001"]
)
def test_a_malformed_incoming_request_id_is_replaced(captured, incoming):
    response = Client().get("/", HTTP_X_REQUEST_ID=incoming)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert _requests(captured)[0]["request_id"] == response["X-Request-ID"]
    if incoming:
        assert incoming not in captured.text


def test_the_request_log_names_the_route_pattern_never_the_path_or_query(captured):
    Client().get("/elections/board-election-x/trackers/?code=ABCD-EFGH-JKMN-PQRS")
    Client().get("/api/v1/elections/board-election-x/trackers/ABCD-EFGH-JKMN-PQRS/")
    routes = [r["route"] for r in _requests(captured)]
    assert routes[0] == "elections/<slug:slug>/trackers/"
    assert routes[1].startswith("api/v1/elections/(?P<id>") and "/trackers/(?P<code>" in routes[1]
    assert "ABCD-EFGH" not in captured.text and "board-election-x" not in captured.text
    # Django's own "Not Found: <path>" warning names the route instead.
    warnings = [r for r in captured.records() if r["logger"] == "django.request"]
    assert warnings and all("board-election-x" not in w["message"] for w in warnings)


def test_a_job_enqueued_in_a_request_carries_its_id_into_the_jobs_logs(captured, run_jobs):
    with request_id_context("req-0123456789"):
        message = enqueue("core.relay_outbox")
    assert OutboxMessage.objects.get(pk=message.pk).metadata == {"request_id": "req-0123456789"}
    logging.getLogger("test").info("outside the job")
    run_jobs()
    [job] = [r for r in captured.records() if r["logger"] == "charter.job"]
    assert job["request_id"] == "req-0123456789"
    assert job == {**job, "task": "core.relay_outbox", "job_id": str(message.pk), "outcome": "SUCCESS"}
    outside = [r for r in captured.records() if r["message"] == "outside the job"]
    assert "request_id" not in outside[0]


def test_a_job_enqueued_outside_a_request_has_no_request_id(captured, run_jobs):
    message = enqueue("core.relay_outbox")
    assert message.metadata == {}
    run_jobs()
    [job] = [r for r in captured.records() if r["logger"] == "charter.job"]
    assert "request_id" not in job


# --- the formatter ---------------------------------------------------------------------------------


def _format(formatter: logging.Formatter, msg: str, *args: Any, **extra: Any) -> str:
    record = logging.LogRecord("charter.test", logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    ContextFilter().filter(record)
    return formatter.format(record)


def test_the_formatter_keeps_known_fields_and_drops_the_rest():
    line = json.loads(
        _format(JsonFormatter(), "hello %s", "world", route="a/<int:pk>/", user="Ada", status=200)
    )
    assert line["message"] == "hello world"
    assert line["route"] == "a/<int:pk>/" and line["status"] == 200
    assert "user" not in line
    assert set(line) == {"time", "level", "logger", "message", "route", "status"}


def test_the_formatter_masks_addresses_and_trackers_even_in_exceptions():
    try:
        raise ValueError("recipient refused: ada@example.org (tracker 7K3Q-9XZ2-ABCD-EFGH)")
    except ValueError:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "send to %s failed",
            ("bob@example.org",),
            exc_info=__import__("sys").exc_info(),
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "send to [email] failed"
    assert "ada@example.org" not in line["exception"] and "7K3Q-9XZ2" not in line["exception"]
    assert "[email]" in line["exception"] and "[tracker]" in line["exception"]
    assert "bob@" not in _format(PlainFormatter("%(message)s"), "to %s", "bob@example.org")


def test_redact_leaves_ids_and_member_numbers_alone():
    text = "job 6e1f682f-63b7-464f-b8f2-e6681e08b7e0 member M-7K3Q-9XZ2 request 0123456789abcdef"
    assert redact(text) == text


# --- a whole journey, grepped ---------------------------------------------------------------------------


def test_a_members_journey_logs_no_address_no_tracker_and_not_who_voted(captured, run_jobs, settings):
    settings.SETTINGS_MODULE = "config.settings.test"  # seed_demo checks it; overrides hide it
    call_command("seed_demo", stdout=io.StringIO())
    member = User.objects.get(email="member@demo.charter.invalid")
    voting = Election.objects.get(state="voting")
    past = Election.objects.filter(state="certified").first()
    assert past is not None
    entry = RollEntry.objects.get(election=voting, voter=member, has_voted=False)
    number = Membership.objects.filter(user=member).values_list("number", flat=True).first()
    captured.stream.seek(0)
    captured.stream.truncate()  # the journey, not the seeding

    client = Client()
    login = client.post("/accounts/login/", {"login": member.email, "password": DEMO_PASSWORD})
    assert login.status_code == 302 and client.session.get("_auth_user_id") == str(member.pk)
    assert client.get("/dashboard/").status_code == 200
    assert client.get(f"/elections/{voting.slug}/ballot/").status_code == 200
    candidates = [c for c in ballot_candidates(election=voting) if c.stands]
    ranks = {f"rank-{c.pk}": str(i) for i, c in enumerate(candidates, start=1)}
    cast = client.post(
        f"/elections/{voting.slug}/ballot/",
        {"action": "cast", "entry": str(entry.pk), **ranks},
        HTTP_X_REQUEST_ID="cast-request-0001",
    )
    assert cast.status_code == 200 and "Your tracker code" in cast.content.decode()
    receipt = PendingReceipt.objects.get(election=voting, user=member).tracker_code
    published = list(Tracker.objects.filter(election=past).values_list("code", flat=True))
    # The tracker check: today a GET with ?code=, a POST once the page takes one (either way).
    client.get(f"/elections/{past.slug}/trackers/", {"code": published[0]})
    client.post(f"/elections/{past.slug}/trackers/", {"code": published[0]})
    client.get(f"/api/v1/elections/{past.slug}/trackers/{published[0]}/")
    client.get(f"/api/v1/elections/{past.slug}/trackers/{published[0].lower()}/")
    client.get(f"/api/v1/elections/{past.slug}/trackers/ZZZZ-ZZZZ-ZZZZ-ZZZZ/")  # a 404
    _, raw = api_token_create(user=member, name="journey")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/voting-rights/me/").status_code == 200
    assert api.get(f"/api/v1/voting-rights/members/{number}/").status_code == 200
    assert api.get(f"/api/v1/voting-rights/members/{number}/?election={voting.slug}").status_code in (
        200,
        404,
    )
    client.get("/accounts/password/reset/")
    client.post("/accounts/password/reset/", {"email": member.email})
    client.post("/accounts/logout/")
    run_jobs()  # the receipt and the reset email go out (in-process, the worker's code)

    text = captured.text
    records = captured.records()
    # The capture saw the journey: requests with routes, and jobs.
    routes = {r.get("route") for r in records if r["logger"] == "charter.request"}
    assert {"accounts/login/", "elections/<slug:slug>/ballot/", "elections/<slug:slug>/trackers/"} <= routes
    jobs = [r for r in records if r["logger"] == "charter.job"]
    # The cast queues no job of its own (receipts go out in batches at random times), so no
    # job's log carries the cast's request id and with it the moment a member voted.
    assert jobs and not any(j.get("request_id") == "cast-request-0001" for j in jobs)

    emails = set(User.objects.values_list("email", flat=True))
    trackers = set(Tracker.objects.values_list("code", flat=True)) | {receipt}
    leaks = [e for e in emails if e.lower() in text.lower()]
    leaks += [t for t in trackers if t.lower() in text.lower()]
    assert not leaks, f"personal data in the logs: {leaks[:5]}"
    assert "@" not in text
    # Who voted: neither the voter's id, member number nor roll entry appears.
    for value in (number, str(entry.pk), f'"user": {member.pk}', f"user_id={member.pk}"):
        assert value and value not in text
    assert not any("choices" in line or "rank-" in line for line in text.splitlines())


@pytest.mark.postgres  # the worker thread needs the test database on its own connection
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_the_job_under_the_enqueuing_requests_id(private_redis, captured):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    private_redis.start()
    with request_id_context("req-worker-0001"):
        message = enqueue("core.beat_heartbeat")
    # loglevel: start_worker sets the root logger's level (ERROR by default).
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="INFO"):
        assert relay_outbox() == 1
        deadline = time.monotonic() + 20
        jobs: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not jobs:
            jobs = [r for r in captured.records() if r.get("job_id") == str(message.pk)]
            time.sleep(0.1)
    assert jobs and jobs[0]["request_id"] == "req-worker-0001"
    assert jobs[0]["task"] == "core.beat_heartbeat" and jobs[0]["outcome"] == "SUCCESS"
