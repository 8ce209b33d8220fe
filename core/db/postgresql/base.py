"""Django's PostgreSQL backend, with a health check that costs no round trip, and cursors
that prepare their statements on the server.

``CONN_HEALTH_CHECKS`` keeps connections across requests and checks each before the request
first uses it; Django checks with ``SELECT 1``: a round trip to the server on every request,
which on a small machine cost the voting-rights API as much as a tenth of its time. Between
requests an idle connection has nothing to read: if its socket is readable, the server has
closed the session (a restart, ``pg_terminate_backend``) or sent something unasked, and the
connection is replaced either way. A connection that is not idle (inside a transaction) is
checked as Django checks it.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg import pq


class PreparingCursor(base.ServerBindingCursor):  # type: ignore[misc, name-defined]  # not in the stubs
    """Binds parameters on the server and prepares every statement it runs (once per connection:
    psycopg keeps the names)."""

    def execute(self, query: Any, params: Any = None, *, prepare: Any = None, binary: Any = None) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    def preparing_cursor(self) -> Any:
        """Django's cursor (health check, error wrapping, query logging) over a ``PreparingCursor``,
        for a hot statement whose planning costs more than running it."""
        cursor = self.cursor()
        raw = self.connection
        if raw.prepare_threshold is None:  # Django turns psycopg's automatic preparing off;
            raw.prepare_threshold = 5  # only server-binding cursors (``PreparingCursor``) read it
        cursor.cursor.close()
        cursor.cursor = PreparingCursor(raw)
        return cursor

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the socket is gone
            return False
        return not readable
