"""Two-factor authentication for everything privileged; a name before anything else.

allauth has no "require MFA" switch, so Charter adds two rules:

1. ``SecondFactorMiddleware`` marks every signed-in ``request.user`` with whether *this
   session* passed a second factor (allauth records it at sign-in and at re-authentication).
   ``core.access.acts_as`` refuses every role to a user who has not, so privileged
   visibility (committee pages under /members/, the API's committee-level answers through
   the session) needs the second factor wherever it is checked, not only under /manage/;
   ``permission_required`` then sends such a person to enter their code.
2. Under ``CHARTER_PRIVILEGED_PATH_PREFIXES`` (the Django admin and /manage/), a privileged
   person (staff, superuser, anyone holding a role) is sent to set up TOTP if they have
   none, or to confirm their code if this session has not, before any page opens.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from core.access import (
    is_authenticated,
    is_privileged,
    mark_second_factor,
    passed_second_factor,
    second_factor_redirect,
)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(settings.CHARTER_PRIVILEGED_PATH_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if is_authenticated(user):
            passed = passed_second_factor(request)
            mark_second_factor(user, passed=passed)
            if (
                request.path.startswith(self.prefixes)
                and is_privileged(user)
                and (not passed or not is_mfa_enabled(user, [Authenticator.Type.TOTP]))
            ):
                return second_factor_redirect(request)
        return self.get_response(request)


# Pages a signed-in person without a name can still open: signing out, the account pages
# (email confirmation, password, two-factor set-up and code), the profile page itself, the
# language switch, the API (tokens carry no session to redirect), assets and health checks,
# and the Django admin (``createsuperuser`` asks for no name; operators are not shown anywhere).
NAME_EXEMPT_PREFIXES = (
    "/admin/",
    "/accounts/",
    "/settings/profile/",
    "/i18n/",
    "/api/",
    "/static/",
    "/media/",
    "/healthz",
    "/readyz",
    "/.well-known/",
)


class NameRequiredMiddleware:
    """An account without a full name (made before sign-up asked for it) is sent to the profile
    page until it gives one: the committee, the directory and the API's visibility rule key on it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            is_authenticated(user)
            and getattr(user, "needs_name", False)
            and not request.path.startswith(NAME_EXEMPT_PREFIXES)
        ):
            # The profile page itself says why (``asked_for_name``): no message on top of it.
            target = reverse("profile:edit")
            if request.method in {"GET", "HEAD"}:
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)
