"""Signing in for tests, as allauth's real flow leaves the session.

``sign_in(client, user)`` is ``force_login`` plus what allauth records when the person
passes the TOTP stage (``mfa`` in the session's authentication records): privileged pages
require that this session passed the second factor, not merely that the user has a device.
``second_factor=False`` signs in with the password only, as an attacker with a stolen
password would be.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret


def ensure_totp(user: Any) -> Authenticator:
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, generate_totp_secret()).instance


def sign_in(client: Any, user: Any, *, second_factor: bool = True) -> Any:
    client.force_login(user)
    records: list[dict[str, Any]] = [{"method": "password", "at": time.time(), "email": user.email}]
    if second_factor:
        authenticator = ensure_totp(user)
        records.append({"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return user
