"""Server-rendered SVG charts (no script, no inline style: the CSP forbids both)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.money import format_money


def bar_chart(*, points: Sequence[tuple[dt.date, int]], currency: str, title: str) -> SafeString:
    """A bar per month, labelled; the accessible name and a <title> per bar carry the figures."""
    width, height, pad, label_h = 960, 240, 8, 28
    plot_h = height - label_h - pad
    peak = max((v for _d, v in points), default=0) or 1
    slot = (width - 2 * pad) / max(len(points), 1)
    bars = []
    for i, (month, value) in enumerate(points):
        h = max(0.0, plot_h * value / peak)
        x = pad + i * slot + slot * 0.15
        bars.append(
            (
                f"{x:.1f}",
                f"{pad + plot_h - h:.1f}",
                f"{slot * 0.7:.1f}",
                f"{h:.1f}",
                f"{month:%Y-%m}: {format_money(value, currency)}",
                f"{x + slot * 0.35:.1f}",
                f"{height - label_h / 2:.1f}",
                date_format(month, "M Y" if (i == 0 or month.month == 1) else "M"),
            )
        )
    body = format_html_join(
        "",
        '<g><title>{}</title><rect class="chart-bar" fill="currentColor" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="middle" font-size="14" fill="currentColor">{}</text></g>',
        ((b[4], b[0], b[1], b[2], b[3], b[5], b[6], b[7]) for b in bars),
    )
    label = _("%(title)s; highest month %(peak)s") % {
        "title": title,
        "peak": format_money(peak if points else 0, currency),
    }
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>'
        '<line class="chart-axis" stroke="currentColor" x1="{}" y1="{}" x2="{}" y2="{}"></line>{}</svg>',
        width,
        height,
        label,
        title,
        pad,
        pad + plot_h,
        width - pad,
        pad + plot_h,
        body,
    )
