"""Shared fixtures. Time is moved with ``clock``; databases are real (never mocked)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.conf import settings as site_settings
from django.db import connection
from django.utils import translation

from core import clock as core_clock


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    # Transactional tests flush every table afterwards, which would delete the data that
    # migrations ship (the reference rule set and its classes) for every later test.
    # serialized_rollback restores it, so each test starts from the migrated state.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False
            )

    vendor = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in vendor:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); SQLite cannot show this")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


class Clock:
    """Move the application's clock in a test: ``clock.set(...)``, ``clock.advance(days=3)``."""

    def set(self, when: dt.datetime | str) -> dt.datetime:
        if isinstance(when, str):
            when = dt.datetime.fromisoformat(when)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        core_clock.freeze(when)
        return when

    def advance(self, **kwargs: float) -> dt.datetime:
        core_clock.advance(dt.timedelta(**kwargs))
        return core_clock.now()

    def now(self) -> dt.datetime:
        return core_clock.now()


@pytest.fixture
def clock() -> Iterator[Clock]:
    c = Clock()
    c.set("2026-06-01T12:00:00+00:00")
    yield c
    core_clock.reset()


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    core_clock.reset()


@pytest.fixture(autouse=True)
def _reset_language() -> Iterator[None]:
    """Each test starts in the site's language: a request through the test client leaves the
    language it chose active in the thread (LocaleMiddleware), which must not leak into the next test."""
    translation.activate(site_settings.LANGUAGE_CODE)
    yield
    translation.activate(site_settings.LANGUAGE_CODE)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def run_jobs(settings):
    """Run the outbox's due jobs in-process (the same task code a worker runs)."""
    from core.outbox import run_pending_inline

    return run_pending_inline


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (on PostgreSQL) a skipped test is a failure: nothing may silently not run."""
    import os

    if os.environ.get("CHARTER_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"CHARTER_FAIL_ON_SKIP: {skipped} test(s) skipped; CI requires none.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: throttles and live turnout kept by one test (whose
    ids are reused after its rollback) must not answer in the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_rule_set_cache() -> Iterator[None]:
    """Each test starts without cached rule sets (ids are reused after a rollback), nor a
    signing key read from a database that was rolled back."""
    from core.jws import forget_signing_key
    from core.rules import forget_cached_rule_sets

    forget_cached_rule_sets()
    forget_signing_key()
    yield
    forget_cached_rule_sets()
    forget_signing_key()
