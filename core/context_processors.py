from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"FOUNDATION_NAME": settings.FOUNDATION_NAME}


def background_delay(request: HttpRequest) -> dict[str, Any]:
    """On the committee's pages (``/manage/``, privileged people): whether background work
    is delayed, from the same checks as ``/readyz`` (core.health): jobs waiting in the outbox
    longer than ``READYZ_OUTBOX_MAX_LAG_SECONDS`` (the broker, Redis, is down or no worker
    runs) or beat not seen for ``READYZ_BEAT_MAX_AGE_SECONDS``. Two small indexed queries,
    only on those pages; nothing for everyone else."""
    from core.access import is_privileged
    from core.health import check_beat, check_outbox

    if not request.path.startswith("/manage/") or not is_privileged(getattr(request, "user", None)):
        return {}
    outbox, beat = check_outbox(), check_beat()
    if outbox.get("ok", True) and beat.get("ok", True):
        return {}
    return {
        "background_delay": {
            "pending": outbox.get("pending", 0),
            "minutes": round(outbox.get("lag_seconds", 0) / 60),
            "beat_stale": not beat.get("ok", True),
        }
    }
