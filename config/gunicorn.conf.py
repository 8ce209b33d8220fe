"""gunicorn's configuration: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

Every value can be changed through the environment (see the README's configuration
table); the defaults suit one server behind a reverse proxy on the same machine.

- Workers: ``WEB_CONCURRENCY`` (the name Heroku, Render and gunicorn's docs share), else
  2 × cores + 1, gunicorn's own rule for synchronous workers that wait on PostgreSQL.
- Timeouts: a request taking longer than ``GUNICORN_TIMEOUT`` seconds is killed and its
  worker replaced (the slowest pages, a roll's CSV, take a few seconds).
- Logs: gunicorn's error log is JSON lines like the application's (core.logs). The
  application already logs one ``charter.request`` line per request with the route pattern,
  so gunicorn's own access log is off unless ``GUNICORN_ACCESS_LOG`` names a file (or
  ``-``); when on, its format is built from safe parts only: no client address, no query
  string, no user agent, no raw path, but the route pattern and the request id that the
  application leaves in the WSGI environ.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then, so a slow leak never grows for months.
# A replaced worker imports Django and every view again: about 1.6 s of CPU here. Every 2,000
# requests that was 0.8 ms per request, more than a trivial API request costs; every 20,000 it
# is 0.08 ms, and a slow leak still cannot grow for long.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# The reverse proxy on the same machine may set X-Forwarded-*; Django reads
# X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER in production settings).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "charter-web"
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108  (heartbeat files, in RAM)

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "method": "%(m)s", '
    '"route": "%({charter.route}e)s", "status": "%(s)s", "bytes": "%(B)s", '
    '"duration_ms": %(M)s, "request_id": "%({charter.request_id}e)s"}'
)
# gunicorn's own messages as JSON lines (its access log keeps gunicorn's handler: the format
# above is already a JSON object). Django's LOGGING takes over inside each worker.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {
        "json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
    },
    "root": {"handlers": ["json"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["json"], "level": loglevel.upper(), "propagate": False},
    },
}


def post_worker_init(worker: object) -> None:
    """Import every view (the URL configuration) before the worker takes requests.

    Django imports it on the first request otherwise, which takes seconds here: the first
    visitor after each start or worker recycling would wait for it. (``preload_app`` would
    share the imports between workers, but then a HUP no longer loads new code on upgrade.)
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property imports the URLconf)
