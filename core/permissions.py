"""Who may do what with accounts and API tokens: ``can_<verb>_<thing>(user, obj=None) -> bool``."""

from __future__ import annotations

from typing import Any

from core.access import is_authenticated


def can_reset_mfa(user: Any, target: Any) -> bool:
    """Staff reset a lost second factor for someone else, never for themselves."""
    return is_authenticated(user) and bool(user.is_staff) and user.pk != target.pk


def can_create_api_token(user: Any, obj: Any = None) -> bool:
    return is_authenticated(user) and bool(user.is_active)


def can_revoke_api_token(user: Any, token: Any) -> bool:
    return is_authenticated(user) and token.user_id == user.pk
