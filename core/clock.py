"""The one clock.

Services, schedules and tests read the time through ``now()``. Tests move time with
``core.clock.travel`` (see tests/conftest.py); nothing in the app reads the wall clock
directly, so a test can put the whole application at any moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_frozen: dt.datetime | None = None
_offset = dt.timedelta(0)


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    if _frozen is not None:
        return _frozen
    return timezone.now() + _offset


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
