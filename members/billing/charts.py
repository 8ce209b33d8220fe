"""Server-rendered SVG charts (no script, no inline style: the CSP forbids both).

Each chart is a <figure>: the SVG with its axes labelled (months along the bottom, the amount
up the side with three ticks), and the same figures as a table in a <details> next to it, for
screen readers and for anyone who wants the numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.money import format_money


def bar_chart(*, points: Sequence[tuple[dt.date, int]], currency: str, title: str) -> SafeString:
    """A bar per month, with labelled axes; the accessible name, a <title> per bar and the
    table view carry the figures."""
    width, height, pad, label_h, axis_w, axis_title_h = 960, 268, 8, 28, 110, 22
    plot_h = height - label_h - axis_title_h - pad
    plot_left = pad + axis_w
    peak = max((v for _d, v in points), default=0) or 1
    slot = (width - plot_left - pad) / max(len(points), 1)
    baseline = pad + plot_h
    bars = []
    for i, (month, value) in enumerate(points):
        h = max(0.0, plot_h * value / peak)
        x = plot_left + i * slot + slot * 0.15
        bars.append(
            (
                f"{month:%Y-%m}: {format_money(value, currency)}",
                f"{x:.1f}",
                f"{baseline - h:.1f}",
                f"{slot * 0.7:.1f}",
                f"{h:.1f}",
                f"{x + slot * 0.35:.1f}",
                f"{baseline + label_h / 2 + 5:.1f}",
                date_format(month, "M Y" if (i == 0 or month.month == 1) else "M"),
            )
        )
    body = format_html_join(
        "",
        '<g><title>{}</title><rect class="chart-bar" fill="currentColor" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="middle" font-size="14" fill="currentColor">{}</text></g>',
        bars,
    )
    ticks = format_html_join(
        "",
        '<line class="chart-grid" stroke="currentColor" stroke-opacity="0.2" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
        '<text class="chart-tick" x="{}" y="{}" text-anchor="end" font-size="13" fill="currentColor">{}</text>',
        (
            (
                plot_left,
                f"{baseline - plot_h * share:.1f}",
                width - pad,
                f"{baseline - plot_h * share:.1f}",
                plot_left - 6,
                f"{baseline - plot_h * share + 5:.1f}",
                format_money(round(peak * share) if points else 0, currency),
            )
            for share in (0, 0.5, 1)
        ),
    )
    label = _("%(title)s; highest month %(peak)s") % {
        "title": title,
        "peak": format_money(peak if points else 0, currency),
    }
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>{}'
        '<line class="chart-axis" stroke="currentColor" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
        '<line class="chart-axis" stroke="currentColor" x1="{}" y1="{}" x2="{}" y2="{}"></line>{}'
        '<text class="chart-axis-title" x="{}" y="{}" text-anchor="middle" font-size="14" fill="currentColor">{}</text>'
        '<text class="chart-axis-title" x="{}" y="{}" font-size="14" fill="currentColor">{}</text></svg>',
        width,
        height,
        label,
        title,
        ticks,
        plot_left,
        baseline,
        width - pad,
        baseline,
        plot_left,
        pad,
        plot_left,
        baseline,
        body,
        plot_left + (width - plot_left - pad) / 2,
        height - 4,
        _("Month (date paid)"),
        pad,
        height - 4,
        _("Amount (%(currency)s)") % {"currency": currency},
    )
    rows = format_html_join(
        "",
        '<tr><th scope="row"><time datetime="{}">{}</time></th><td>{}</td></tr>',
        (
            (f"{month:%Y-%m}", date_format(month, "YEAR_MONTH_FORMAT"), format_money(value, currency))
            for month, value in points
        ),
    )
    table = format_html(
        '<details class="chart-data"><summary>{}</summary><div class="table-wrap"><table class="table">'
        '<caption class="visually-hidden">{}</caption><thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table></div></details>",
        _("Show the data as a table"),
        title,
        _("Month"),
        _("Amount (%(currency)s)") % {"currency": currency},
        rows,
    )
    return format_html('<figure class="chart-figure">{}{}</figure>', svg, table)
