"""config/gunicorn.conf.py: workers from cores or WEB_CONCURRENCY, and an access log format
built from safe parts only (no client address, raw path, query string or user agent)."""

from __future__ import annotations

import json
import multiprocessing
import re
import runpy
from pathlib import Path
from typing import Any

import pytest

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


def _load(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "GUNICORN_ACCESS_LOG", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_workers_default_to_twice_the_cores_plus_one_and_follow_web_concurrency(monkeypatch):
    assert _load(monkeypatch)["workers"] == 2 * multiprocessing.cpu_count() + 1
    conf = _load(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_TIMEOUT="45")
    assert (conf["workers"], conf["timeout"]) == (3, 45)
    assert _load(monkeypatch)["bind"] == "127.0.0.1:8000"  # never every interface by default


def test_the_access_log_is_off_by_default_and_names_no_person_when_on(monkeypatch):
    assert _load(monkeypatch)["accesslog"] is None
    conf = _load(monkeypatch, GUNICORN_ACCESS_LOG="-")
    fmt = conf["access_log_format"]
    atoms = set(re.findall(r"%\((\{[^}]+\}[a-z]|\w)\)s", fmt))
    # h: address, r: request line, U: path, q: query, a: user agent, f: referer, u: user, i: request headers
    assert not atoms & {"h", "r", "U", "q", "a", "f", "u"} and not any(a.endswith("}i") for a in atoms)
    assert atoms == {"t", "m", "{charter.route}e", "s", "B", "M", "{charter.request_id}e"}
    sample = dict.fromkeys(atoms, "x") | {"M": 12}
    line = json.loads(fmt % {f"{k}": v for k, v in sample.items()})
    assert line["logger"] == "gunicorn.access" and line["duration_ms"] == 12


def test_the_workers_import_the_views_before_taking_requests(monkeypatch):
    from django.urls import get_resolver

    _load(monkeypatch)["post_worker_init"](object())
    assert any(getattr(p, "app_name", None) == "core" for p in get_resolver().url_patterns)
