"""The API's shared pieces: the exception handler (every error is ``{"code", "message",
"detail"}``), the error schema, base views, throttles that fail open, cursor pagination,
conditional GET (ETag / Last-Modified) and the signed-statement renderer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.api.auth import BearerTokenAuthentication
from core.errors import DomainError
from core.jws import sign_statement
from core.models import ApiToken

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": "invalid", "message": _("The request is not valid."), "detail": response.data}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        message = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
        body = {"code": code, "message": str(message), "detail": None}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["detail"] = {"retry_after_seconds": int(exc.wait)}
    else:  # pragma: no cover - DRF only returns responses for APIException
        body = {"code": "error", "message": str(exc), "detail": None}
    response.data = body
    return response


# --- Schema: the error shape ---------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every error the API returns."""

    code = serializers.CharField(help_text="Stable, machine-readable; match on this, never on the message.")
    message = serializers.CharField(help_text="Human-readable, translated.")
    detail = serializers.JSONField(allow_null=True, help_text="Field errors or extra data; may be null.")


_ERROR_DESCRIPTIONS = {
    400: "The request is not valid (e.g. a malformed `at`).",
    401: "A bearer token was sent but is unknown, expired or revoked; or this endpoint needs a login.",
    403: "Not allowed (e.g. an unsafe method with a read-only token).",
    404: "Not found, or not visible to the caller.",
    429: "Too many requests; retry after the `Retry-After` header's seconds.",
}


def error_responses(*statuses: int, media_type: str = "application/json") -> dict[Any, OpenApiResponse]:
    """``extend_schema(responses=...)`` entries for the error statuses an endpoint returns.

    Errors are always JSON, also on endpoints that can answer in another media type.
    """
    return {
        (status, media_type): OpenApiResponse(
            response=ErrorSerializer, description=_ERROR_DESCRIPTIONS[status]
        )
        for status in statuses
    }


PUBLIC_ERRORS = (400, 401, 403, 404, 429)


# --- Throttling: per token and per client address, failing open --------------------------

DEFAULT_THROTTLE_RATES = {"api_ip": "600/min", "api_token": "300/min"}


class _FailOpenThrottle(SimpleRateThrottle):
    """A rate throttle whose state lives in a cache; if the cache fails, the request passes.

    Losing rate limiting for a while is better than refusing everyone with a 500.
    """

    def get_rate(self) -> str | None:
        rates = {**DEFAULT_THROTTLE_RATES, **getattr(settings, "CHARTER_API_THROTTLE_RATES", {})}
        return rates.get(self.scope)

    @property  # type: ignore[override]
    def cache(self) -> Any:
        return caches[getattr(settings, "CHARTER_API_THROTTLE_CACHE", "default")]

    def get_ident(self, request: Request) -> str:
        # X-Forwarded-For is only trusted when NUM_PROXIES says how many proxies set it.
        if api_settings.NUM_PROXIES is not None:
            return super().get_ident(request)
        return str(request.META.get("REMOTE_ADDR", ""))

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache is down: fail open, loudly
            logger.warning("API throttle %s: cache unavailable, request allowed", self.scope, exc_info=True)
            return True


class ClientAddressThrottle(_FailOpenThrottle):
    scope = "api_ip"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ApiTokenThrottle(_FailOpenThrottle):
    scope = "api_token"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


# --- Pagination -------------------------------------------------------------------------------


class CursorPage(CursorPagination):
    """Opaque cursors: stable under inserts, constant cost for deep pages.

    Views set ``cursor_ordering``; ``page_size`` may ask for up to 200 items.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = getattr(view, "cursor_ordering", self.ordering)
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)


# --- Conditional GET ----------------------------------------------------------------------------


def _etag(data: Any, media_type: str) -> str:
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(f"{media_type}\n{body}".encode()).hexdigest()[:40]
    return f'"{digest}"'


class ConditionalGetMixin:
    """ETag (a hash of the answer) and, where a view sets ``self.last_modified``,
    Last-Modified; a matching ``If-None-Match`` / ``If-Modified-Since`` gets 304.
    """

    last_modified: dt.datetime | None = None

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if not isinstance(response, Response) or response.data is None:
            return response
        etag = _etag(response.data, getattr(response, "accepted_media_type", "") or "")
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        last_modified = self.last_modified
        timestamp = int(last_modified.timestamp()) if last_modified else None
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        conditional = get_conditional_response(
            request._request, etag=etag, last_modified=timestamp, response=response
        )
        if conditional is None or conditional is response:
            return response
        conditional["ETag"] = etag
        return conditional


# --- Base views ---------------------------------------------------------------------------------


def _authentication_classes() -> list[Any]:
    return [BearerTokenAuthentication, SessionAuthentication]


class CharterAPIView(APIView):
    """Every Charter API view: bearer tokens or the site session, throttled, JSON."""

    authentication_classes = _authentication_classes()
    permission_classes = [AllowAny]
    throttle_classes = [ClientAddressThrottle, ApiTokenThrottle]
    renderer_classes = [JSONRenderer]


class PublicAPIView(ConditionalGetMixin, CharterAPIView):
    """A public, read-only resource: no login, conditional GET."""


class PublicListAPIView(ConditionalGetMixin, ListAPIView):
    """A public list: cursor-paginated, filtered with django-filter, conditional GET."""

    authentication_classes = CharterAPIView.authentication_classes
    permission_classes = CharterAPIView.permission_classes
    throttle_classes = CharterAPIView.throttle_classes
    renderer_classes = CharterAPIView.renderer_classes
    pagination_class: type[BasePagination] | None = CursorPage
    filter_backends = [DjangoFilterBackend]

    def get_last_modified(self) -> dt.datetime | None:
        return None

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.last_modified = self.get_last_modified()
        return super().get(request, *args, **kwargs)


# --- Signed statements ------------------------------------------------------------------------


class JWSRenderer(BaseRenderer):
    """The answer as a compact JWS (``application/jose``, or ``?format=jws``)."""

    media_type = "application/jose"
    format = "jws"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        claims = json.loads(json.dumps(data, cls=JSONEncoder))
        if not isinstance(claims, dict):
            claims = {"statement": claims}
        subject = ""
        if isinstance(claims.get("subject"), dict):
            subject = str(claims["subject"].get("number", ""))
        return sign_statement(claims, subject=subject).encode("ascii")


class SignedAnswerMixin:
    """Offer JSON and the signed form; errors are always plain JSON (never signed)."""

    renderer_classes = [JSONRenderer, JWSRenderer]

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        signed = isinstance(getattr(response, "accepted_renderer", None), JWSRenderer)
        if isinstance(response, Response) and response.status_code >= 400 and signed:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response
