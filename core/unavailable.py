"""503 with ``Retry-After`` while the database cannot be reached, never a 500.

When PostgreSQL restarts (or fails over) every request that touches it raises
``OperationalError`` or ``InterfaceError``. That is an outage of a dependency, not a bug
in the request: the answer is 503 Service Unavailable with ``Retry-After``, so browsers,
API clients and the reverse proxy know to try again, and a voter reads "try again in a
moment" instead of "something went wrong".

Two places catch it:

- ``DatabaseUnavailableMiddleware.process_exception``: the error raised inside a view.
- ``core.views.pages.error_500`` (``handler500``): the error raised in another middleware
  (the session read when ``request.user`` is first touched), which Django turns into the
  500 handler's response; the handler looks at the exception being handled.

API paths (``/api/``) get the API's error shape, every other path a standalone page
that, like the 500 page, renders without the database.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError)


def retry_after_seconds() -> int:
    return int(getattr(settings, "DATABASE_UNAVAILABLE_RETRY_AFTER", 15))


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or the error it was raised from) says the database is unreachable."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unavailable_response(request: HttpRequest | None) -> HttpResponse:
    seconds = retry_after_seconds()
    path = getattr(request, "path", "") or ""
    response: HttpResponse
    if path.startswith("/api/"):
        response = JsonResponse(
            {
                "code": "unavailable",
                "message": _("The service is briefly unavailable. Please try again shortly."),
                "detail": {"retry_after_seconds": seconds},
            },
            status=503,
        )
    else:
        html = loader.get_template("errors/503.html").render({"retry_after": seconds})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def handled_exception_is_unavailable() -> bool:
    """Inside Django's exception handling: is the error being handled a database outage?"""
    return is_database_unavailable(sys.exc_info()[1])


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        log.warning("database unavailable: %s", type(exception).__name__)
        return unavailable_response(request)
