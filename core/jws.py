"""Signed statements: compact JWS (EdDSA over Ed25519) and the published key set.

Where the private key comes from:

- ``SIGNING_KEY_PEM`` (the PEM text) or ``SIGNING_KEY_PEM_FILE`` (a path), from the
  settings or the environment: production. Its public half is recorded as a
  ``SigningKey`` row the first time it signs, so it stays published after rotation.
- otherwise a key kept in the database, generated on first use (development, tests).
  ``check_production_key`` and the deploy check make sure production never gets here.

This module imports no models at import time, so a settings module can call
``check_production_key()``.

A statement is valid for ``SIGNED_STATEMENT_TTL_SECONDS`` (default one day). Retired
public keys stay in ``/.well-known/jwks.json`` for that long after retirement, so every
statement can be verified offline until it expires.

A record (``sign_record``: an election's count package) has no expiry, so a key that ever
signed one is marked and stays published for ever, retired or not.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock

# Production settings import this module (check_production_key) before Django's apps are
# loaded, so the model is imported inside the functions that use it: not a cycle, an order.
if TYPE_CHECKING:
    from core.models import SigningKey

logger = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
DEFAULT_TTL_SECONDS = 24 * 60 * 60
MEDIA_TYPE = "application/jose"


def statement_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "SIGNED_STATEMENT_TTL_SECONDS", DEFAULT_TTL_SECONDS)))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """The RFC 7638 JWK thumbprint: stable, derived from the key alone."""
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw_public(public_key))},
        separators=(",", ":"),
        sort_keys=True,
    )
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def public_jwk(public_key: Ed25519PublicKey, kid: str) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(_raw_public(public_key)),
        "kid": kid,
        "alg": ALGORITHM,
        "use": "sig",
    }


def _pem_private(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def _pem_public(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_private_key(pem: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured("The signing key is not a readable, unencrypted PEM private key.") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("The signing key must be an Ed25519 key.")
    return key


def configured_key_pem(environ: Mapping[str, str] | None = None) -> str:
    """The operator's PEM (settings first, then the environment), or "" when none is set."""
    environ = os.environ if environ is None else environ
    pem = getattr(settings, "SIGNING_KEY_PEM", "") if settings.configured else ""
    pem = pem or environ.get("SIGNING_KEY_PEM", "")
    if pem:
        return str(pem)
    path = getattr(settings, "SIGNING_KEY_PEM_FILE", "") if settings.configured else ""
    path = path or environ.get("SIGNING_KEY_PEM_FILE", "")
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="ascii")
    except OSError as exc:
        raise ImproperlyConfigured(f"SIGNING_KEY_PEM_FILE cannot be read: {path}") from exc


def check_production_key(environ: Mapping[str, str] | None = None) -> None:
    """Raise ``ImproperlyConfigured`` unless a valid Ed25519 signing key is configured.

    Safe to call from a settings module (it reads the environment when settings are
    not configured yet).
    """
    pem = configured_key_pem(environ)
    if not pem:
        raise ImproperlyConfigured(
            "Production needs the signing key: set SIGNING_KEY_PEM (PEM text) or SIGNING_KEY_PEM_FILE."
        )
    load_private_key(pem)


def signing_key_deploy_errors() -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    try:
        check_production_key()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="charter.E001")]
    return []


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> str:
    return _pem_private(key)


def signing_key_activate(key: Ed25519PrivateKey, *, private_pem: str = "") -> SigningKey:
    """Make ``key`` the active key: record it and retire the others (idempotent)."""
    from core.models import SigningKey

    public = key.public_key()
    kid = key_id(public)
    now = clock.now()
    with transaction.atomic():
        list(SigningKey.objects.select_for_update().filter(retired_at__isnull=True))
        row = SigningKey.objects.filter(kid=kid).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = SigningKey.objects.create(
                        kid=kid, public_pem=_pem_public(public), private_pem=private_pem, created_at=now
                    )
            except IntegrityError:  # another process recorded it first
                row = SigningKey.objects.get(kid=kid)
        elif row.retired_at is not None:
            row.retired_at = None
            row.save(update_fields=["retired_at"])
        SigningKey.objects.filter(retired_at__isnull=True).exclude(pk=row.pk).update(retired_at=now)
        transaction.on_commit(forget_signing_key)
    forget_signing_key()
    return row


# The active key, kept in this process: the voting-rights API signs on every ``?format=jws``
# request, and reading, parsing and checking the key cost more than signing. Rechecked every
# ``KEY_RECHECK_SECONDS`` (and at once when the PEM in the settings changes, or this process
# activates a key): another process's rotation reaches this one within that time, and the key
# it retired stays published for ``statement_ttl()``, so what it signed meanwhile verifies.
KEY_RECHECK_SECONDS = 30.0
_ACTIVE: tuple[float, str, str, Ed25519PrivateKey] | None = None  # (read at, PEM setting, kid, key)


def forget_signing_key() -> None:
    """Read the active key again at the next signature (tests; after an activation)."""
    global _ACTIVE
    _ACTIVE = None


def active_signing_key() -> tuple[str, Ed25519PrivateKey]:
    """The key that signs now, as ``(kid, private key)``."""
    global _ACTIVE
    pem = configured_key_pem()
    cached = _ACTIVE
    if cached is not None and cached[1] == pem and time.monotonic() - cached[0] < KEY_RECHECK_SECONDS:
        return cached[2], cached[3]
    kid, key = _read_active_signing_key(pem)
    _ACTIVE = (time.monotonic(), pem, kid, key)
    return kid, key


def _read_active_signing_key(pem: str) -> tuple[str, Ed25519PrivateKey]:
    from core.models import SigningKey

    if pem:
        key = load_private_key(pem)
        kid = key_id(key.public_key())
        if not SigningKey.objects.filter(kid=kid, retired_at__isnull=True).exists():
            signing_key_activate(key)
        return kid, key
    row = SigningKey.objects.filter(retired_at__isnull=True).exclude(private_pem="").first()
    if row is None:
        logger.info("No signing key configured: generating one in the database (development only).")
        generated = generate_private_key()
        row = signing_key_activate(generated, private_pem=_pem_private(generated))
    return row.kid, load_private_key(row.private_pem)


def published_keys() -> list[dict[str, str]]:
    """Public keys whose statements may still be valid: the active one and recent retirees."""
    from core.models import SigningKey

    cutoff = clock.now() - statement_ttl()
    rows = (
        SigningKey.objects.filter(retired_at__isnull=True)
        | SigningKey.objects.filter(retired_at__gt=cutoff)
        | SigningKey.objects.filter(signed_records=True)
    )
    keys = []
    for row in rows.order_by("-created_at", "-id"):
        public = serialization.load_pem_public_key(row.public_pem.encode("ascii"))
        if isinstance(public, Ed25519PublicKey):
            keys.append(public_jwk(public, row.kid))
    return keys


def sign_statement(claims: dict[str, Any], *, subject: str = "") -> str:
    """``claims`` as a compact JWS with ``kid``, ``iss``, ``iat`` and ``exp``."""
    kid, key = active_signing_key()
    now = clock.now()
    payload = {
        **claims,
        "iss": settings.SITE_URL,
        "iat": int(now.timestamp()),
        "exp": int((now + statement_ttl()).timestamp()),
    }
    if subject:
        payload["sub"] = subject
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


def sign_record(claims: dict[str, Any], *, subject: str = "") -> tuple[str, dict[str, str]]:
    """``claims`` as a compact JWS that never expires (``kid``, ``iss``, ``iat``; no ``exp``),
    and the public JWK that verifies it. The key is marked so it stays published for ever."""
    from core.models import SigningKey

    kid, key = active_signing_key()
    SigningKey.objects.filter(kid=kid, signed_records=False).update(signed_records=True)
    payload = {**claims, "iss": settings.SITE_URL, "iat": int(clock.now().timestamp())}
    if subject:
        payload["sub"] = subject
    token = jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})
    return token, public_jwk(key.public_key(), kid)


def verify_statement(token: str, jwks: dict[str, Any], *, at: dt.datetime | None = None) -> dict[str, Any]:
    """Check a statement against a published key set, as a third party would (offline)."""
    kid = jwt.get_unverified_header(token).get("kid")
    jwk = next((k for k in jwks.get("keys", []) if k.get("kid") == kid), None)
    if jwk is None:
        raise jwt.InvalidKeyError(_("The statement was signed by a key that is not published."))
    public = jwt.PyJWK(jwk).key
    # Expiry is checked against our clock (tests move it), not the wall clock PyJWT reads.
    claims: dict[str, Any] = jwt.decode(
        token,
        public,
        algorithms=[ALGORITHM],
        options={"verify_exp": False, "verify_iat": False, "require": ["exp", "iat"]},
    )
    moment = at or clock.now()
    if int(claims["exp"]) <= int(moment.timestamp()):
        raise jwt.ExpiredSignatureError(_("The statement has expired."))
    return claims
