"""The Sites framework's domain comes from ``SITE_URL``, so feeds and account emails link home.

Django ships ``example.com`` as site 1. Charter sets the domain and name from ``SITE_URL``
and ``FOUNDATION_NAME`` after every ``migrate`` (part of every deploy and upgrade) and when
a web process serves its first request (``sync_site_once``), so changing ``SITE_URL`` and
restarting is enough. Imported from ``CoreConfig.ready()``, once the sites app is loaded.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import SITE_CACHE, Site
from django.db import DatabaseError, InterfaceError


def site_domain() -> str:
    parts = urlsplit(settings.SITE_URL)
    return parts.netloc or parts.path or "localhost"


def site_sync(**kwargs: Any) -> None:
    """Make site ``SITE_ID`` say ``SITE_URL``'s host and the foundation's name."""
    domain, name = site_domain(), settings.FOUNDATION_NAME[:50]
    Site.objects.update_or_create(id=settings.SITE_ID, defaults={"domain": domain, "name": name})
    SITE_CACHE.clear()


_synced = False


def sync_site_once(**kwargs: Any) -> None:
    """On the first request a process serves: correct the site if the database says otherwise."""
    global _synced
    if _synced:
        return
    _synced = True
    try:
        site_sync()
    # Not migrated yet (the post-migrate sync will do it) or unreachable (the next request tries).
    except (DatabaseError, InterfaceError):
        _synced = False
