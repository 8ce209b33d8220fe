"""Structured logs: one JSON object per line, with the request id, and nothing personal.

- ``RequestLogMiddleware`` gives every request an id (a well-formed incoming
  ``X-Request-ID``, else a new one), returns it in the response header, and logs one
  ``charter.request`` record per request with the *route pattern* (``resolver_match.route``,
  e.g. ``api/v1/elections/<slug:slug>/trackers/<str:code>/``), never the raw path or the
  query string, and never who the user is: a tracker travels in a path and a vote is a
  POST, so a path or a user id next to a timestamp could say who voted.
- ``core.outbox.enqueue`` stores the current request id in the job's metadata; the relay
  sends it as a Celery header, and ``job_started``/``job_finished`` (connected to Celery's
  task signals in ``config/celery.py``) put it back in context while the job runs, so the
  job's log records carry the id of the request that enqueued it.
- ``JsonFormatter`` writes a fixed set of fields (no arbitrary ``extra``), replaces the
  path in Django's own request warnings (``Not Found: /…``) by the route, and as a last
  net masks anything shaped like an email address or a ballot tracker.

Imports only the standard library at module level: gunicorn's master process loads the
formatter before Django is set up (``config/gunicorn.conf.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

REQUEST_ID_HEADER = "X-Request-ID"
#: The Celery message header that carries the request id into a job.
JOB_HEADER = "charter_request_id"
#: WSGI environ keys gunicorn's access log can read (``%({charter.route}e)s``).
ENVIRON_ROUTE = "charter.route"
ENVIRON_REQUEST_ID = "charter.request_id"

# Letters, digits and . _ : - only (no "@", no spaces): an id, never a smuggled address.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A ballot tracker: four groups of four in Crockford's alphabet (elections.models.ballots).
_TRACKER = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}\b", re.IGNORECASE)

_request_id: ContextVar[str | None] = ContextVar("charter_request_id", default=None)

#: Fields a record may add through ``extra=`` (anything else is dropped, so a careless
#: ``extra={"user": user}`` cannot put a person into the logs).
EXTRA_FIELDS = (
    "method",
    "route",
    "status",
    "duration_ms",
    "authenticated",
    "task",
    "job_id",
    "outcome",
    "check",
)

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def redact(text: str) -> str:
    """Mask email addresses and tracker codes in free text (the last safety net)."""
    return _TRACKER.sub("[tracker]", _EMAIL.sub("[email]", text))


def current_request_id() -> str | None:
    return _request_id.get()


def well_formed_request_id(value: str | None) -> str | None:
    return value if value and _WELL_FORMED.match(value) else None


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def request_id_context(value: str | None) -> Iterator[None]:
    token = _request_id.set(value)
    try:
        yield
    finally:
        _request_id.reset(token)


class ContextFilter(logging.Filter):
    """Adds ``request_id`` to every record, from the request or job being handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = _request_id.get()
        return True


def _route_of(request: Any) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None else None


def _without_paths(record: logging.LogRecord) -> str:
    """Django's request warnings put the path in their arguments: use the route instead."""
    request = getattr(record, "request", None)
    args = record.args
    if request is None or not isinstance(args, tuple):
        return record.getMessage()
    paths = {getattr(request, "path", None), getattr(request, "path_info", None)}
    with_query = getattr(request, "get_full_path", None)
    if callable(with_query):
        with contextlib.suppress(Exception):  # a malformed request: keep the other replacements
            paths.add(with_query())
    paths.discard(None)
    route = _route_of(request) or "[unmatched]"
    safe = tuple(route if isinstance(a, str) and a in paths else a for a in args)
    return str(record.msg) % safe if safe else str(record.msg)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id and known extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(_without_paths(record)),
        }
        request_id = getattr(record, "request_id", None) or _request_id.get()
        if request_id:
            entry["request_id"] = request_id
        for name in EXTRA_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = value if isinstance(value, int | float | bool) else redact(str(value))
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """``LOG_FORMAT=plain``: the same safety (routes for paths, masks) in one readable line."""

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg, safe.args = redact(_without_paths(record)), ()
        if getattr(safe, "request_id", None) is None:
            safe.request_id = _request_id.get() or "-"
        return super().format(safe)


# --- requests ---------------------------------------------------------------------------------

request_log = logging.getLogger("charter.request")


def _authenticated(request: Any) -> bool:
    user = getattr(request, "user", None)  # absent for static files (answered earlier)
    try:
        return bool(user is not None and user.is_authenticated)
    except Exception:  # the session store is down: the response is on its way regardless
        return False


class RequestLogMiddleware:
    """First in MIDDLEWARE: the request id for everything below it, one record per request."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request_id = well_formed_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id
        request.environ[ENVIRON_REQUEST_ID] = request_id
        started = time.monotonic()
        with request_id_context(request_id):
            response = self.get_response(request)
            route = _route_of(request)
            if route is not None:
                request.environ[ENVIRON_ROUTE] = route
            request_log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "authenticated": _authenticated(request),
                },
            )
        response[REQUEST_ID_HEADER] = request_id
        return response


# --- jobs -------------------------------------------------------------------------------------

job_log = logging.getLogger("charter.job")
_job_tokens: dict[str, tuple[Any, float]] = {}


def job_metadata() -> dict[str, str]:
    """What a job enqueued now records (``OutboxMessage.metadata``): the current request id."""
    request_id = _request_id.get()
    return {"request_id": request_id} if request_id else {}


def job_headers(metadata: dict[str, Any] | None) -> dict[str, str]:
    """The Celery message headers for a job with this metadata."""
    request_id = well_formed_request_id((metadata or {}).get("request_id"))
    return {JOB_HEADER: request_id} if request_id else {}


def _job_request_id(task: Any) -> str | None:
    request = getattr(task, "request", None)
    value = getattr(request, JOB_HEADER, None)  # a worker puts message headers on the request
    if value is None:
        headers = getattr(request, "headers", None) or {}  # Task.apply(headers=...) keeps them here
        value = headers.get(JOB_HEADER)
    return well_formed_request_id(value)


def job_started(sender: Any = None, task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Celery's ``task_prerun``: the enqueuing request's id becomes this job's context."""
    if task is None or task_id is None:
        return
    token = _request_id.set(_job_request_id(task))
    _job_tokens[task_id] = (token, time.monotonic())


def job_finished(
    sender: Any = None, task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    """Celery's ``task_postrun``: one ``charter.job`` record, then the context is restored."""
    if task_id is None or task_id not in _job_tokens:
        return
    token, started = _job_tokens.pop(task_id)
    job_log.info(
        "job",
        extra={
            "task": getattr(task, "name", None),
            "job_id": task_id,
            "outcome": state,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        },
    )
    try:
        _request_id.reset(token)
    except ValueError:  # set in another context (a thread pool): just clear it
        _request_id.set(None)


def logging_config(*, level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """The LOGGING setting: JSON lines on stderr (``fmt="plain"`` for reading by eye)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "core.logs.ContextFilter"}},
        "formatters": {
            "json": {"()": "core.logs.JsonFormatter"},
            "plain": {
                "()": "core.logs.PlainFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "plain" if fmt == "plain" else "json",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own request log repeats charter.request, and names paths: warnings only.
            "django.request": {"level": "WARNING"},
            "django.server": {"level": "WARNING"},
            # Celery's per-task lines repeat charter.job (and print return values).
            "celery.app.trace": {"level": "WARNING"},
        },
    }
