"""The embedded default (SQLite): concurrent writers queue instead of failing.

Eight threads each open a transaction that reads then writes, as casting a ballot does.
With SQLite's default DEFERRED transactions, a reader cannot upgrade to a writer while
another holds the lock and gets "database is locked" at once; with IMMEDIATE (our setting)
each waits its turn on the busy timeout.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

WRITERS = 8


def _wrapper(path: Path, options: dict) -> DatabaseWrapper:
    config = {
        "ENGINE": "django.db.backends.sqlite3",  # a scratch file, whatever the test database is
        "NAME": str(path),
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "OPTIONS": options,
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "TEST": {},
    }
    return DatabaseWrapper(config, alias=f"writers-{id(options)}-{threading.get_ident()}")


def _race(path: Path, options: dict) -> list[str]:
    setup = _wrapper(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS votes (n INTEGER)")
    setup.close()
    errors: list[str] = []
    barrier = threading.Barrier(WRITERS)

    def cast() -> None:
        db = _wrapper(path, options)
        connections[db.alias] = db
        try:
            barrier.wait()
            # As a service does: atomic() begins the transaction (BEGIN IMMEDIATE with our option).
            with transaction.atomic(using=db.alias), db.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM votes")
                cursor.fetchone()
                threading.Event().wait(0.05)  # hold the read while others arrive
                cursor.execute("INSERT INTO votes VALUES (1)")
        except Exception as exc:
            errors.append(str(exc))
        finally:
            db.close()
            del connections[db.alias]

    threads = [threading.Thread(target=cast) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_read_then_write_transactions_all_succeed_with_our_options(tmp_path, django_db_blocker):
    options = dict(settings.SQLITE_OPTIONS)  # what the embedded default runs with
    assert options.get("transaction_mode") == "IMMEDIATE"
    with django_db_blocker.unblock():  # a scratch database file of its own, not the test database
        assert _race(tmp_path / "ours.sqlite3", options) == []


def test_without_immediate_some_writers_fail_at_once(tmp_path, django_db_blocker):
    """The control: the same race on SQLite's default transaction mode loses writers."""
    options = {"timeout": 20}
    with django_db_blocker.unblock():
        errors = _race(tmp_path / "deferred.sqlite3", options)
    assert errors and all("locked" in e for e in errors)
