"""Dates in the reader's language, loaded in every template (a builtin: config/settings/base.py).

- ``{{ value|day }}``: a date as the active language writes it ("Nov. 30, 2026",
  "30 de noviembre de 2026", "2026年11月30日"), in ``<time datetime="2026-11-30" class="date">``
  so machines (and tests) still read ISO and the date never wraps mid-date.
- ``{{ value|moment }}``: the same for a moment, with the time and the time zone's name.

Machine-readable files (CSV, roll.txt, BLT, the API) keep ISO dates; plain-text emails use
``|date:"DATE_FORMAT"``, which follows the language the email is written in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return None


@register.filter(is_safe=True)
def day(value: Any) -> str:
    """``value`` (a date or a datetime) as a localised date inside ``<time>``; "" for nothing."""
    date = _as_date(value)
    if date is None:
        return ""
    return format_html(
        '<time class="date" datetime="{}">{}</time>',
        date.isoformat(),
        formats.date_format(date, "DATE_FORMAT"),
    )


@register.filter(is_safe=True)
def moment(value: Any) -> str:
    """``value`` (a datetime) as a localised date and time with its zone, inside ``<time>``."""
    if not isinstance(value, dt.datetime):
        return day(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    text = formats.date_format(local, "DATETIME_FORMAT")
    zone = local.tzname() or ""
    return format_html(
        '<time class="date" datetime="{}">{}{}</time>',
        local.isoformat(timespec="minutes"),
        text,
        f" {zone}" if zone else "",
    )
