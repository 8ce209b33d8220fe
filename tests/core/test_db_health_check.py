"""Between requests, a kept PostgreSQL connection is checked without a round trip (its socket
must have nothing to read), and a connection the server closed is still replaced before the
next request uses it."""

from __future__ import annotations

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: its health check"),
]


class _NoQueries:
    """Wraps the psycopg connection: any statement during the check fails the test."""

    def __init__(self, wrapped):
        self._wrapped = wrapped

    def execute(self, *args, **kwargs):
        raise AssertionError("the health check sent a query")

    def cursor(self, *args, **kwargs):
        raise AssertionError("the health check opened a cursor")

    def __getattr__(self, name):
        return getattr(self._wrapped, name)


@pytest.mark.django_db(transaction=True)
def test_an_idle_healthy_connection_is_kept_without_a_query(monkeypatch):
    connection.ensure_connection()
    raw = connection.connection
    monkeypatch.setattr(connection, "connection", _NoQueries(raw))
    assert connection.is_usable()
    monkeypatch.setattr(connection, "connection", raw)
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is raw  # kept


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_replaced_before_use():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    import time

    for _ in range(50):  # the server's goodbye reaches the socket
        if not connection.is_usable():
            break
        time.sleep(0.02)
    assert not connection.is_usable()
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:  # a new session
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
