"""While the database cannot be reached the site answers 503 with Retry-After, never 500.

The database is made unreachable for the requests under test with Django's
``connection.execute_wrapper`` (every query raises the OperationalError a closed
PostgreSQL connection raises); the real server is never stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@contextmanager
def database_down(error: type[Exception] = OperationalError) -> Iterator[None]:
    def refuse(execute, sql, params, many, context):
        raise error("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        yield


def test_a_page_that_reads_the_database_answers_503_with_retry_after():
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get("/elections/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "try again" in response.content.decode()


def test_the_api_answers_503_in_its_error_shape():
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get("/api/v1/membership-classes/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "unavailable"
    assert body["detail"]["retry_after_seconds"] == int(response["Retry-After"])


def test_a_signed_in_request_failing_in_the_session_middleware_is_503_too():
    # The session and the user are read by middleware before any view runs.
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with database_down(InterfaceError):
        response = client.get("/dashboard/")
    assert response.status_code == 503
    assert response.has_header("Retry-After")


def test_a_post_while_the_database_is_down_is_503_not_500():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with database_down():
        response = client.post("/members/membership/leave/", {})
    assert response.status_code == 503


def test_other_errors_are_still_500():
    from django.test import RequestFactory

    from core.views import pages

    try:
        raise ValueError("a bug")
    except ValueError:
        response = pages.error_500(RequestFactory().get("/"))
    assert response.status_code == 500
    assert not response.has_header("Retry-After")


def test_the_database_is_reachable_again_afterwards():
    with database_down():
        pass
    response = Client().get("/elections/")
    assert response.status_code == 200
