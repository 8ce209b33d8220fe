"""Writes on API credentials: personal tokens and signing keys. Each is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from core.errors import NotAllowed, ValidationFailed
from core.jws import configured_key_pem, generate_private_key, private_key_pem, signing_key_activate
from core.models import ApiToken, SigningKey
from core.permissions import can_create_api_token, can_revoke_api_token

TOKEN_PREFIX = "chr_"  # noqa: S105  (a public marker, not a secret)
MAX_LIVE_TOKENS = 25


def api_token_hash(plaintext: str) -> str:
    """SHA-256 of the whole token: the secret has 256 bits, so no salt or slow hash is needed."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def api_token_create(
    *, user: Any, name: str, expires_at: dt.datetime | None = None, second_factor: bool = False
) -> tuple[ApiToken, str]:
    """A new read-only token for ``user``; the plaintext is returned once and never stored.

    ``second_factor``: the session creating it passed two-factor authentication, so the
    token may carry its holder's privileged visibility (re-checked against their roles on
    every request). Otherwise it sees what any member sees.
    """
    if not can_create_api_token(user):
        raise NotAllowed(_("Only an active, signed-in user can create API tokens."))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the token a name."), code="token_name_required")
    if len(name) > 100:
        raise ValidationFailed(
            _("The name is too long (100 characters at most)."), code="token_name_too_long"
        )
    now = clock.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(_("The expiry must be in the future."), code="token_expiry_past")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        live = (
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).exclude(expires_at__lte=now).count()
        )
        if live >= MAX_LIVE_TOKENS:
            raise ValidationFailed(
                _("You have %(count)s live tokens; revoke one first.") % {"count": live},
                code="too_many_tokens",
            )
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=plaintext[: len(TOKEN_PREFIX) + 6],
            token_hash=api_token_hash(plaintext),
            created_at=now,
            expires_at=expires_at,
            second_factor=second_factor,
        )
        audit_record(
            actor=user,
            action="api.token_created",
            obj=token,
            data={
                "expires_at": expires_at.isoformat() if expires_at else None,
                "second_factor": second_factor,
            },
        )
    return token, plaintext


def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    if not can_revoke_api_token(actor, token):
        raise NotAllowed(_("You can only revoke your own tokens."))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = clock.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api.token_revoked", obj=locked)
    return locked


def signing_key_rotate(*, actor: Any = None) -> SigningKey:
    """Generate a new database-held signing key and retire the current one.

    Retired public keys stay published until their last statements expire. With a key
    from the environment, rotation means replacing that key (see ``rotate_signing_key``).
    """
    if configured_key_pem():
        raise ValidationFailed(
            _("The signing key comes from the environment: replace SIGNING_KEY_PEM to rotate it."),
            code="signing_key_from_environment",
        )
    key = generate_private_key()
    with transaction.atomic():
        row = signing_key_activate(key, private_pem=private_key_pem(key))
        audit_record(actor=actor, action="api.signing_key_rotated", obj=row, data={"kid": row.kid})
    return row
