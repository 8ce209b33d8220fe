"""Writes on accounts."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import NotAllowed
from core.models import User
from core.permissions import can_reset_mfa


def user_reset_mfa(*, actor: Any, user: User, reason: str) -> int:
    """Remove a user's authenticators after a lost device; staff only, audited.

    The user must set up TOTP again before privileged pages open.
    """
    if not can_reset_mfa(actor, user):
        raise NotAllowed(_("Only staff can reset someone else's two-factor authentication."))
    with transaction.atomic():
        deleted, _details = Authenticator.objects.filter(user=user).delete()
        audit_record(
            actor=actor,
            action="account.mfa_reset",
            obj=user,
            data={"authenticators": deleted, "reason": reason},
        )
    return deleted
