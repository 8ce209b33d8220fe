"""Personal API tokens: ``Authorization: Bearer chr_...``, read-only.

An unknown, expired or revoked token is a 401 (never a silent fall-back to anonymous);
a token used with an unsafe method is a 403 whatever the endpoint.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from core import clock
from core.access import mark_second_factor
from core.models import ApiToken
from core.services.api_tokens import api_token_hash

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def access_api_token(*, plaintext: str) -> ApiToken:
    """The live token for ``plaintext``, or ``AuthenticationFailed`` saying why not."""
    token = ApiToken.objects.select_related("user").filter(token_hash=api_token_hash(plaintext)).first()
    if token is None or not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("The API token is not valid."), code="token_invalid")
    now = clock.now()
    if token.revoked_at is not None:
        raise exceptions.AuthenticationFailed(_("The API token was revoked."), code="token_revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise exceptions.AuthenticationFailed(_("The API token has expired."), code="token_expired")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”."), code="token_malformed"
            )
        try:
            plaintext = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(
                _("The API token is not valid."), code="token_invalid"
            ) from exc
        token = access_api_token(plaintext=plaintext)
        if request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("API tokens are read-only."), code="token_read_only")
        # Role-based visibility through a token needs a token made after a second factor.
        mark_second_factor(token.user, passed=token.second_factor)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "core.api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A personal, read-only API token."}
