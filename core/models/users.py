"""The user account: a person who can sign in."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can sign in. Login is by email (django-allauth)."""

    # Opaque id used wherever a person is referred to in hashed or public records
    # (audit entries, rolls), so their personal data can be erased later.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # The profile (/settings/profile/): what public pages show, and how to address the person.
    display_name = models.CharField(
        _("public display name"),
        max_length=100,
        blank=True,
        help_text=_("Shown on public pages (directory, nominations, ballots); your full name if empty."),
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2."))
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=clock.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        """What privileged pages (committee lists, audit displays) show: the name, else the email."""
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]

    @property
    def audit_ref(self) -> str:
        return f"user:{self.public_id}"

    @property
    def public_name(self) -> str:
        """What public pages show: the display name, else the full name, never the email address."""
        return (
            self.display_name or self.full_name or str(_("Member %(id)s") % {"id": str(self.public_id)[:8]})
        )

    @property
    def needs_name(self) -> bool:
        """An account without a full name is asked for it before anything else (core.middleware)."""
        return not self.full_name.strip()
