"""Two-factor authentication for everything privileged.

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
