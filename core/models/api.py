"""API credentials: personal read-only tokens and the keys that sign statements."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class ApiToken(models.Model):
    """A personal, read-only API token. Only the SHA-256 of its secret is stored.

    The plaintext is shown once, when it is created; ``prefix`` (its first characters)
    lets the owner tell tokens apart without the secret.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Privileged answers (a committee's view of hidden members, reasons) need a token created
    # in a session that passed the second factor; the holder's roles are still re-checked on
    # every request. Tokens created before this field existed are member-level.
    second_factor = models.BooleanField(
        _("created after two-factor authentication"),
        default=False,
        editable=False,
        help_text=_("Only such tokens carry the privileges of their holder's roles."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def audit_ref(self) -> str:
        return f"api_token:{self.pk}"

    def is_live(self, at: dt.datetime | None = None) -> bool:
        moment = at or clock.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)


class SigningKey(models.Model):
    """An Ed25519 key that signs voting-rights statements, identified by ``kid``.

    Public keys are kept after rotation so statements they signed can still be checked
    until they expire. ``private_pem`` is only set for keys generated here (development,
    or ``rotate_signing_key`` without an environment key); a key from the environment is
    recorded by its public half only.
    """

    kid = models.CharField(max_length=64, unique=True)
    public_pem = models.TextField()
    private_pem = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    retired_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set once the key signs a record that must stay verifiable for ever (an election's
    # count package): such a key stays in /.well-known/jwks.json after it is retired.
    signed_records = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.kid

    @property
    def audit_ref(self) -> str:
        return f"signing_key:{self.kid}"
