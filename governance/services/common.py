"""Helpers the governance services share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

from core import clock
from core.models import RoleAssignment
from governance.models import ChangeRecord


def add_years(day: dt.date, years: int) -> dt.date:
    return day + relativedelta(years=years)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    return moment + relativedelta(months=months)


def person_name(user: object) -> str:
    return str(user)


def change_record(*, item_type: str, item_label: str, summary: str, url: str = "", reason: str = "") -> None:
    """One line in the public change history (no personal data beyond public roles)."""
    ChangeRecord.objects.create(
        at=clock.now(),
        item_type=item_type,
        item_label=item_label[:300],
        url=url[:300],
        summary=summary[:300],
        reason=reason[:300],
    )


def role_grant(user: Any, role: str, at: dt.datetime, note: str = "") -> RoleAssignment:
    """Give ``user`` ``role`` from ``at`` (seats, offices and committees grant roles)."""
    return RoleAssignment.objects.create(user=user, role=role, starts_at=at, note=note[:300])


def roles_end(user: Any, roles: tuple[str, ...], at: dt.datetime) -> None:
    """End ``user``'s current assignments of ``roles`` at ``at``."""
    current = RoleAssignment.objects.active(at).filter(user=user, role__in=roles)
    current.filter(starts_at__lt=at).update(ends_at=at)
    current.filter(starts_at__gte=at).delete()  # began this instant: it never took effect
