"""Shared models: the user account, the audit chain and the job outbox."""

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
        """What public pages show: the full name, never the email address."""
        return self.full_name or str(_("Member %(id)s") % {"id": str(self.public_id)[:8]})


class AuditHead(models.Model):
    """The single row that serialises appends and remembers the chain's last link.

    Appends lock this row (``select_for_update``), so concurrent writers queue instead
    of forking the chain, and verification can tell when the newest entry was removed.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditEntry(models.Model):
    """One append-only, hash-chained record of a change to governed state.

    ``hash`` is SHA-256 over the canonical JSON of every other field, including
    ``prev_hash``; editing or deleting any row breaks every later link. People are
    referred to by opaque ids only (``actor_ref``, ``object_ref``), never names or emails.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor_ref = models.CharField(max_length=80)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_ref = models.CharField(max_length=100, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Audit entries are append-only.")


class OutboxMessage(models.Model):
    """A job written in the caller's transaction; the relay hands it to Celery.

    If the transaction rolls back, the job never existed. If the broker is down, the
    row waits and the relay retries, so jobs are delayed, never lost.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now)
    available_at = models.DateTimeField(default=clock.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "available_at"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.task_name} ({'sent' if self.sent_at else 'pending'})"


class OutgoingEmail(models.Model):
    """Every email we send, so the committee can see who was not reached.

    ``status`` records what the mail server said (accepted, refused) and, later, whether
    a bounce came back. ``purpose`` and ``subject_ref`` say what the mail was about
    (e.g. ``membership.reminder`` and the membership's public number).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Accepted by the mail server")
        REFUSED = "refused", _("Refused by the mail server")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    purpose = models.CharField(max_length=80, db_index=True)
    subject_ref = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["purpose", "subject_ref"], name="email_purpose_ref_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.status})"

    @property
    def reached(self) -> bool:
        return self.status == self.Status.SENT


from core.models_api import ApiToken, SigningKey  # noqa: E402,F401
