"""The audit chain: a hash-chained, append-only record of every governed change."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


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


class PublishedHead(models.Model):
    """A head of the audit chain (``seq``, ``hash``) published for outsiders to keep.

    Hashes read back from the same database cannot stop its administrator from truncating
    the chain and rewinding the head. Heads published in the Atom feed, the API, minutes
    and certified results can be saved by anyone; ``verify_audit_chain --heads FILE`` then
    names the first published head the chain no longer contains.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=clock.now, db_index=True)
    reason = models.CharField(max_length=40, default="daily")

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("published audit head")
        verbose_name_plural = _("published audit heads")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}…"
