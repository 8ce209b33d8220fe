"""Who may do what with accounts, API tokens and personal data: ``can_<verb>_<thing>(user, obj=None) -> bool``."""

from __future__ import annotations

from typing import Any

from core.access import acts_as, is_authenticated
from core.models import Role


def can_reset_mfa(user: Any, target: Any) -> bool:
    """Staff reset a lost second factor for someone else, never for themselves."""
    return is_authenticated(user) and bool(user.is_staff) and user.pk != target.pk


def can_create_api_token(user: Any, obj: Any = None) -> bool:
    return is_authenticated(user) and bool(user.is_active)


def can_revoke_api_token(user: Any, token: Any) -> bool:
    return is_authenticated(user) and token.user_id == user.pk


# --- Members' data rights (core/services/privacy.py) -------------------------------------------


def can_export_personal_data(user: Any, subject: Any = None) -> bool:
    """A person downloads their own data, nobody else's."""
    return is_authenticated(user) and (subject is None or subject.pk == user.pk)


def can_request_erasure(user: Any, subject: Any = None) -> bool:
    """A person asks to be forgotten for themself only."""
    return is_authenticated(user) and bool(user.is_active) and (subject is None or subject.pk == user.pk)


def can_withdraw_erasure(user: Any, erasure: Any) -> bool:
    return is_authenticated(user) and erasure.user_id == user.pk


def can_review_erasures(user: Any, obj: Any = None) -> bool:
    """The membership committee reads erasure requests and decides them."""
    return acts_as(user, Role.MEMBERSHIP_COMMITTEE)


def can_decide_erasure(user: Any, erasure: Any) -> bool:
    """A committee member approves or refuses a request, never their own."""
    return can_review_erasures(user) and erasure.user_id != user.pk


def can_edit_profile(user: Any, subject: Any = None) -> bool:
    """A person edits their own profile (name, display name, pronouns, country, language)."""
    return is_authenticated(user) and bool(user.is_active) and (subject is None or subject.pk == user.pk)
