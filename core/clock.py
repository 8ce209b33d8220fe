"""The one clock.

Services, schedules and tests read the time through ``now()``. Tests move time with
``core.clock.travel`` (see tests/conftest.py); nothing in the app reads the wall clock
directly, so a test can put the whole application at any moment.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

_frozen: dt.datetime | None = None
_offset = dt.timedelta(0)
_shared: tuple[tuple[int, int], dt.timedelta] = ((-1, -1), dt.timedelta(0))  # (file identity, offset)


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    if _frozen is not None:
        return _frozen
    return timezone.now() + _offset + _shared_offset()


def _shared_offset() -> dt.timedelta:
    """The offset every process of a test agrees on (the browser journeys' server, worker and
    test), read from ``settings.CLOCK_OFFSET_FILE`` (seconds). Test settings only: production
    has no such setting, so its clock is the wall clock."""
    global _shared
    path = getattr(settings, "CLOCK_OFFSET_FILE", "")
    if not path:
        return dt.timedelta(0)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return dt.timedelta(0)
    # Each write replaces the file (a new inode), so the identity changes with every offset.
    identity = (stat.st_ino, stat.st_mtime_ns)
    if identity != _shared[0]:
        with open(path, encoding="ascii") as handle:
            text = handle.read().strip()
        _shared = (identity, dt.timedelta(seconds=float(text or 0)))
    return _shared[1]


def shared_advance(delta: dt.timedelta) -> dt.datetime:
    """Move every process's clock (through ``CLOCK_OFFSET_FILE``) forward by ``delta``."""
    path = settings.CLOCK_OFFSET_FILE
    offset = _shared_offset() + delta
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="ascii") as handle:
        handle.write(repr(offset.total_seconds()))
    os.replace(tmp, path)
    return now()


def today() -> dt.date:
    return now().date()


def freeze(at: dt.datetime) -> None:
    """Stop the clock at ``at`` (aware)."""
    global _frozen
    if timezone.is_naive(at):
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at.astimezone(dt.UTC)


def advance(delta: dt.timedelta) -> None:
    """Move the clock forward (or back) by ``delta``, frozen or not."""
    global _frozen, _offset
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset = _offset + delta


def reset() -> None:
    global _frozen, _offset
    _frozen = None
    _offset = dt.timedelta(0)


@contextmanager
def travel(at: dt.datetime) -> Iterator[None]:
    """Freeze the clock at ``at`` for the duration of the block."""
    previous = (_frozen, _offset)
    freeze(at)
    try:
        yield
    finally:
        _restore(previous)


def _restore(previous: tuple[dt.datetime | None, dt.timedelta]) -> None:
    global _frozen, _offset
    _frozen, _offset = previous
