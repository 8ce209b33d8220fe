"""Require two-factor authentication for privileged users on privileged pages.

allauth has no "require MFA" switch. Anyone staff or holding a role (director,
officer, committee member) must have TOTP on before any page under
``CHARTER_PRIVILEGED_PATH_PREFIXES`` (the Django admin and /manage/) opens.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core.access import is_privileged


class RequireMFAForPrivilegedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(settings.CHARTER_PRIVILEGED_PATH_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self.prefixes):
            user = request.user
            if is_privileged(user) and not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
                messages.warning(
                    request,
                    _(
                        "Your role gives you access to privileged pages. Turn on two-factor "
                        "authentication (an authenticator app) to open them."
                    ),
                )
                return redirect(f"{settings.MFA_ACTIVATE_TOTP_URL}?next={request.path}")
        return self.get_response(request)
