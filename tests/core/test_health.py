"""/healthz and /readyz: JSON for load balancers, 200 when ready and 503 when a part is down."""

from __future__ import annotations

import datetime as dt
import json
import socket
from typing import Any

import pytest
from django.db import connection
from django.db.utils import load_backend
from django.test import Client

from core import health
from core.models import Heartbeat, OutboxMessage
from core.outbox import enqueue
from tests.core.test_outbox import Redis

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_migration_check() -> Any:
    health._reset_for_tests()
    yield
    health._reset_for_tests()


@pytest.fixture
def beat_seen(clock: Any) -> None:
    health.beat_heartbeat()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the socket is: nothing listens


def _get(path: str, **extra: Any) -> tuple[int, dict[str, Any]]:
    response = Client().get(path, **extra)
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_the_database(django_assert_num_queries):
    Client().get("/healthz")  # the process's first request syncs the Site row (core.sites)
    with django_assert_num_queries(0):
        status, body = _get("/healthz")
    assert (status, body) == (200, {"status": "ok"})


def test_probes_are_answered_for_any_host_and_over_plain_http(settings, beat_seen):
    # A load balancer asks a backend by its address over HTTP: no ALLOWED_HOSTS 400, no redirect.
    settings.ALLOWED_HOSTS = ["charter.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert _get("/healthz", HTTP_HOST="10.1.2.3:8000")[0] == 200
    assert _get("/readyz", HTTP_HOST="10.1.2.3:8000")[0] == 200
    assert Client().get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # everything else is checked


def test_readyz_is_200_when_every_part_answers(beat_seen):
    status, body = _get("/readyz")
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "broker", "outbox", "beat"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["outbox"] == {"ok": True, "pending": 0, "lag_seconds": 0}


def test_readyz_is_503_until_beat_has_been_seen_and_when_it_is_stale(clock, settings):
    status, body = _get("/readyz")
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["beat"] == {"ok": False, "error": "never seen"}

    health.beat_heartbeat()
    assert _get("/readyz")[0] == 200
    clock.advance(seconds=settings.READYZ_BEAT_MAX_AGE_SECONDS + 1)
    status, body = _get("/readyz")
    assert status == 503
    assert body["checks"]["beat"] == {"ok": False, "age_seconds": settings.READYZ_BEAT_MAX_AGE_SECONDS + 1}


def test_the_heartbeat_task_records_beat(run_jobs, clock):
    enqueue("core.beat_heartbeat")
    run_jobs()
    assert Heartbeat.objects.get(name="beat").seen_at == clock.now()


def test_the_beat_schedule_sends_the_heartbeat_more_often_than_readyz_tolerates(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["beat-heartbeat"]
    assert entry["task"] == "core.beat_heartbeat"
    assert entry["schedule"] * 3 <= settings.READYZ_BEAT_MAX_AGE_SECONDS


def test_readyz_is_503_while_the_outbox_lags(clock, settings, beat_seen):
    enqueue("core.relay_outbox")  # waits: tests publish nothing on commit
    clock.advance(seconds=settings.READYZ_OUTBOX_MAX_LAG_SECONDS)
    health.beat_heartbeat()
    status, body = _get("/readyz")
    assert status == 200
    assert body["checks"]["outbox"]["pending"] == 1

    clock.advance(seconds=1)
    health.beat_heartbeat()
    status, body = _get("/readyz")
    assert status == 503
    assert body["checks"]["outbox"] == {
        "ok": False,
        "pending": 1,
        "lag_seconds": settings.READYZ_OUTBOX_MAX_LAG_SECONDS + 1,
    }
    OutboxMessage.objects.update(sent_at=clock.now())
    assert _get("/readyz")[0] == 200


def test_a_delayed_job_that_is_not_due_is_no_lag(clock, beat_seen):
    enqueue("core.relay_outbox", delay=dt.timedelta(days=3))
    assert _get("/readyz")[0] == 200


def test_readyz_is_503_while_the_redis_broker_is_down(settings, beat_seen):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    status, body = _get("/readyz")
    assert status == 503
    assert body["checks"]["broker"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["database"] == {"ok": True}


def test_readyz_follows_a_real_redis_going_down_and_coming_back(settings, beat_seen):
    redis = Redis()
    redis.start()
    try:
        settings.CELERY_BROKER_URL = redis.url
        assert _get("/readyz")[0] == 200
        redis.stop()
        status, body = _get("/readyz")
        assert status == 503
        assert body["checks"]["broker"]["ok"] is False
        redis.start()
        assert _get("/readyz")[0] == 200
    finally:
        redis.stop()


def test_a_filesystem_broker_is_not_pinged(settings, beat_seen):
    settings.CELERY_BROKER_URL = "filesystem://"
    status, body = _get("/readyz")
    assert status == 200
    assert body["checks"]["broker"] == {"ok": True, "skipped": "not a Redis broker"}


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    """core.health talks to a database that cannot be reached: a closed port, or (SQLite) a
    file in a folder that does not exist. The test's own connection stays as it was."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
        settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
    else:
        settings_dict["NAME"] = str(tmp_path / "missing" / "charter.sqlite3")
    unreachable = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="unreachable")
    monkeypatch.setattr(health, "connection", unreachable)
    yield unreachable
    unreachable.close()


def test_readyz_is_503_while_the_database_is_down(database_down, beat_seen):
    status, body = _get("/readyz")
    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    # The other checks are not asked (each would wait for the same database).
    assert body["checks"]["beat"] == {"ok": False, "error": "database unavailable"}
    assert _get("/healthz")[0] == 200  # alive, though not ready


def test_readyz_is_503_while_migrations_are_pending(monkeypatch, beat_seen):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a migration", False)])
    status, body = _get("/readyz")
    assert status == 503
    assert body["checks"]["migrations"] == {"ok": False, "pending": 1}


def test_a_failing_probe_logs_one_warning_naming_the_checks_not_a_server_error(settings, beat_seen, caplog):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    assert _get("/readyz")[0] == 503
    records = [(r.name, r.levelname, getattr(r, "check", None)) for r in caplog.records]
    assert records == [("core.health", "WARNING", "broker")]


def test_readyz_says_nothing_personal(settings, beat_seen):
    settings.CELERY_BROKER_URL = f"redis://user:s3cret-password@127.0.0.1:{_closed_port()}/0"
    response = Client().get("/readyz")
    text = response.content.decode()
    assert "s3cret" not in text and "@" not in text


def test_only_the_named_checks_run_when_asked(settings):
    # Beat never seen and the broker down: a load balancer asking about this process still
    # gets 200, monitoring asking about everything gets 503.
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    status, body = _get("/readyz?only=database,migrations,unknown")
    assert status == 200
    assert set(body["checks"]) == {"database", "migrations"}
    assert _get("/readyz")[0] == 503
