"""Health endpoints for load balancers and monitors: ``/healthz`` and ``/readyz``.

- ``/healthz``: the process is alive and answers (no database, no broker). 200 always.
- ``/readyz``: everything works: the database answers and is fully migrated, the Redis
  broker answers (when the broker is Redis), the outbox has no job waiting longer than
  ``READYZ_OUTBOX_MAX_LAG_SECONDS``, and Celery beat was seen (its heartbeat task ran on a
  worker) within ``READYZ_BEAT_MAX_AGE_SECONDS``. 200 when every check passes, 503
  otherwise, with one entry per check. ``?only=database,migrations`` runs only the named
  checks: what a load balancer should ask, since beat or the broker being down is no
  reason to take every web process out of service.

Both answer JSON without personal data: check names, booleans, ages, counts, and an
error's class name (never its text, which may hold a connection string).

``HealthCheckMiddleware`` answers both paths first in MIDDLEWARE, before the host check
(``ALLOWED_HOSTS``), the HTTPS redirect and the sessions: a load balancer probes a
backend by its own address, over plain HTTP, without cookies. Being first, the probes are
also not in the request log (they come every few seconds); a failing ``/readyz`` logs one
warning naming the failed checks. The URL patterns in
``core/views/urls.py`` point at the same views, so ``reverse()`` and the URL table know them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

from core import clock
from core.models import Heartbeat, OutboxMessage

log = logging.getLogger(__name__)

BEAT = "beat"
PATHS = ("/healthz", "/readyz")

_migrated = False  # once fully migrated, a process stays so (new code means a restart)


def beat_heartbeat() -> None:
    """Record that beat's schedule reached a worker now (the ``core.beat_heartbeat`` task)."""
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"seen_at": clock.now()})


def _failed(exc: BaseException) -> dict[str, Any]:
    return {"ok": False, "error": type(exc).__name__}


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failed(exc)
    return {"ok": True}


def check_migrations() -> dict[str, Any]:
    global _migrated
    if _migrated:
        return {"ok": True}
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return _failed(exc)
    _migrated = not pending
    return {"ok": _migrated, "pending": len(pending)}


def check_broker() -> dict[str, Any]:
    """Ping the Redis broker; another transport (the embedded filesystem one) is skipped."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {"ok": True, "skipped": "not a Redis broker"}
    timeout = settings.READYZ_TIMEOUT_SECONDS
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return _failed(exc)
    return {"ok": True}


def check_outbox() -> dict[str, Any]:
    """The oldest due job that has not been handed to the broker, and how long it waited."""
    now = clock.now()
    try:
        pending = OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=now)
        oldest = pending.order_by("available_at").values_list("available_at", flat=True).first()
        count = pending.count()
    except Exception as exc:
        return _failed(exc)
    lag = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return {"ok": lag <= settings.READYZ_OUTBOX_MAX_LAG_SECONDS, "pending": count, "lag_seconds": round(lag)}


def check_beat() -> dict[str, Any]:
    try:
        seen = Heartbeat.objects.filter(name=BEAT).values_list("seen_at", flat=True).first()
    except Exception as exc:
        return _failed(exc)
    if seen is None:
        return {"ok": False, "error": "never seen"}
    age = max(0.0, (clock.now() - seen).total_seconds())
    return {"ok": age <= settings.READYZ_BEAT_MAX_AGE_SECONDS, "age_seconds": round(age)}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "migrations": check_migrations,
    "broker": check_broker,
    "outbox": check_outbox,
    "beat": check_beat,
}


def readiness(only: set[str] | None = None) -> tuple[bool, dict[str, dict[str, Any]]]:
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        if only is not None and name not in only:
            continue
        if name != "database" and not results.get("database", {"ok": True})["ok"]:
            results[name] = {"ok": False, "error": "database unavailable"}  # no point asking
            continue
        results[name] = check()
    return all(r["ok"] for r in results.values()), results


def _json(body: dict[str, Any], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return _json({"status": "ok"}, 200)


def readyz(request: HttpRequest) -> HttpResponse:
    """All checks; ``?only=database,migrations`` asks only those (a load balancer's question:
    can *this* process serve? Beat and the outbox are the whole foundation's, for monitoring)."""
    only = {name for name in request.GET.get("only", "").split(",") if name in CHECKS} or None
    ok, checks = readiness(only)  # a broken connection is dropped at the request's end (Django's signal)
    response = _json({"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503)
    if not ok:
        failed = ",".join(name for name, result in checks.items() if not result["ok"])
        log.warning("not ready", extra={"check": failed})
        # A probe's 503 is a state, reported above: not a server error for django.request
        # (and error reporting) every few seconds.
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


_VIEWS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers the probes before host checks, redirects and sessions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = _VIEWS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)


def _reset_for_tests() -> None:
    global _migrated
    _migrated = False


__all__ = ["PATHS", "HealthCheckMiddleware", "beat_heartbeat", "healthz", "readiness", "readyz"]
