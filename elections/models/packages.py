"""Count packages: the signed archive each count writes, stored once and never changed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from elections.models.elections import Election


class CountPackage(models.Model):
    """One count's package (``elections.counting.package``): ballots, options, result, signed.

    The close's count writes version 1; every recount by the committee before certification
    writes the next version. None is ever edited or deleted (no service does, and the admin
    does not list them). The election's result names the version it rests on (the certified
    one once certified), and that is the one the results page offers.
    """

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="packages")
    version = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)  # the download's file name
    sha256 = models.CharField(max_length=64)  # of the archive, as written to the audit chain
    data = models.BinaryField()
    manifest = models.JSONField()  # the signed claims: every file's SHA-256
    signature = models.TextField()  # the manifest as a compact JWS (EdDSA)
    kid = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["election", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["election", "version"], name="count_package_version_unique"),
        ]
        verbose_name = _("count package")
        verbose_name_plural = _("count packages")

    def __str__(self) -> str:
        return self.name

    @property
    def ballots_sha256(self) -> str:
        return str(self.manifest.get("files", {}).get("ballots.blt", ""))
