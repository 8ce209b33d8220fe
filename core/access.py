"""Who may do what: roles, the superuser rule, and the one way views check permission.

Every app keeps its own ``can_<verb>_<thing>(user, obj=None) -> bool`` checks in its
``permissions.py``; they are built from :func:`has_role` and :func:`acts_as` here. Views
guard themselves with :func:`permission_required`, services call the same ``can_*`` for
their ``actor`` and raise :class:`core.errors.NotAllowed`, so no caller can forget it.

The superuser rule lives in :func:`acts_as` and nowhere else: a superuser acts as every
role, but holds none (``has_role`` is about real assignments, for dashboards and lists).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import NotAllowed
from core.models import Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from core.models import User

#: A signed-in user or an anonymous visitor: what ``request.user`` is.
UserLike: TypeAlias = "User | AnonymousUser"

#: Every role grants access to privileged pages (and so requires two-factor authentication).
PRIVILEGED_ROLES = frozenset(Role.values)


def is_authenticated(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def is_superuser(user: Any) -> bool:
    return is_authenticated(user) and bool(getattr(user, "is_superuser", False))


def active_roles(user: Any, *, at: dt.datetime | None = None) -> set[str]:
    """The roles ``user`` holds at ``at``; cached per request on the user object."""
    if not is_authenticated(user):
        return set()
    if at is None:
        cached: set[str] | None = getattr(user, "_charter_roles", None)
        if cached is not None:
            return cached
    roles = set(RoleAssignment.objects.active(at).filter(user=user).values_list("role", flat=True))
    if at is None:
        user._charter_roles = roles
    return roles


def has_role(user: Any, *roles: str, at: dt.datetime | None = None) -> bool:
    """Whether ``user`` really holds one of ``roles`` (superusers included only if assigned)."""
    return bool(active_roles(user, at=at) & set(roles))


def acts_as(user: Any, *roles: str) -> bool:
    """Whether ``user`` may act as one of ``roles``: holds it, or is a superuser, and has
    passed the second factor in this session (see below).

    This is the single place where being a superuser grants a role's permissions, and where
    a role's permissions need two-factor authentication.
    """
    return (is_superuser(user) or has_role(user, *roles)) and second_factor_ok(user)


# --- The second factor ------------------------------------------------------------------
# Privileged access needs *this session* (or this API token) to have passed two-factor
# authentication, not merely a user who has a device. ``SecondFactorMiddleware`` marks
# ``request.user`` from allauth's authentication records; the bearer-token authentication
# marks it from the token. ``acts_as`` refuses every role to a user marked as not having
# passed it. A user object that no request marked (a job, the shell) is not restricted.

_SECOND_FACTOR_ATTR = "_charter_second_factor"


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session completed a second factor (at sign-in or by re-authenticating)."""
    user = request.user
    if not is_authenticated(user):
        return False
    records = get_authentication_records(request, user)
    return any(record.get("method") == "mfa" for record in records)


def second_factor_on_activation(
    sender: Any,
    request: HttpRequest | None = None,
    user: Any = None,
    authenticator: Any = None,
    **kwargs: Any,
) -> None:
    """Turning on TOTP means typing a code from the new device: that is this session's second
    factor, so the person reaches the page they were sent from without a second prompt.
    Connected to allauth's ``authenticator_added`` in ``CoreConfig.ready()``."""
    if request is not None and authenticator is not None and authenticator.type == Authenticator.Type.TOTP:
        # allauth's own log of how this session authenticated (what ``passed_second_factor`` reads).
        record_authentication(request, user, "mfa", type=authenticator.type, reason="activated")


def mark_second_factor(user: Any, *, passed: bool) -> None:
    if is_authenticated(user):
        setattr(user, _SECOND_FACTOR_ATTR, passed)


def second_factor_ok(user: Any) -> bool:
    return bool(getattr(user, _SECOND_FACTOR_ATTR, True))


@contextmanager
def assuming_second_factor(user: Any) -> Iterator[None]:
    """Evaluate checks as if ``user`` had passed the second factor: to offer a link to a page
    their roles open, or to ask for the code rather than refuse. Never to grant access."""
    previous = getattr(user, _SECOND_FACTOR_ATTR, None)
    mark_second_factor(user, passed=True)
    try:
        yield
    finally:
        if previous is None:
            if hasattr(user, _SECOND_FACTOR_ATTR):
                delattr(user, _SECOND_FACTOR_ATTR)
        else:
            mark_second_factor(user, passed=previous)


def second_factor_redirect(request: HttpRequest) -> HttpResponse:
    """Send a privileged person to set up TOTP, or to enter their code for this session."""
    user = request.user
    query = urlencode({"next": request.get_full_path()}, safe="/")
    if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        messages.warning(
            request,
            _(
                "Your role gives you access to privileged pages. Turn on two-factor "
                "authentication (an authenticator app) to open them."
            ),
        )
        return redirect(f"{settings.MFA_ACTIVATE_TOTP_URL}?{query}")
    messages.info(request, _("Privileged pages need your authenticator code in this session."))
    return redirect(f"{reverse('mfa_reauthenticate')}?{query}")


def is_privileged(user: Any) -> bool:
    """Staff, superusers and anyone holding a role must use two-factor authentication."""
    if not is_authenticated(user):
        return False
    return bool(user.is_staff or user.is_superuser or active_roles(user))


Check = Callable[..., bool]
V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def permission_required(check: Check, *, obj: Callable[..., Any] | None = None) -> Callable[[V], V]:
    """Guard a function view with a ``can_*`` check.

    Anonymous visitors are sent to sign in; signed-in people who fail the check get 403.
    With ``obj``, the check is called as ``check(user, obj(request, *args, **kwargs))`` so
    object-level rules (``can_draft_minutes(user, minutes)``) use the same decorator; ``obj``
    may raise ``Http404`` for a missing object, which is then answered before the check.
    """

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not is_authenticated(user):
                return redirect_to_login(request.get_full_path())
            target = obj(request, *args, **kwargs) if obj is not None else None
            allowed = check(user, target) if obj is not None else check(user)
            if not allowed:
                if not second_factor_ok(user) and is_privileged(user):
                    # Would the role let them in with a second factor? Then ask for it.
                    with assuming_second_factor(user):
                        would = check(user, target) if obj is not None else check(user)
                    if would:
                        return second_factor_redirect(request)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.charter_permission = check  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def require(allowed: bool, message: str, *, code: str = "not_allowed") -> None:
    """For services: raise ``NotAllowed`` unless ``allowed`` (a ``can_*`` result for the actor)."""
    if not allowed:
        raise NotAllowed(message, code=code)
