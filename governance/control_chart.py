"""The control timeline as a server-rendered SVG (no script, no style attribute).

Step lines (a value holds until the next change) of the largest group's seat share and
power indices, in percent, against time; vertical markers for elections, board-size
changes and new rule-set versions. Coordinates are strings with a decimal point, since
templates would localise floats ("90,5" in German).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from governance.control import MAJORITY, SUPERMAJORITY, TimelinePoint

# Colour-blind-safe (Okabe-Ito); SVG presentation attributes are not style attributes.
LINE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
MARKER_COLOURS = {"election": "#E69F00", "size": "#000000", "rules": "#56B4E9"}


@dataclass
class Line:
    label: str
    colour: str
    dash: str
    points: str


@dataclass
class Marker:
    kind: str
    x: str
    colour: str
    dash: str
    title: str


@dataclass
class Tick:
    at: str
    label: str


@dataclass
class TimelineChart:
    width: int
    height: int
    left: int
    top: int
    right: str  # x of the plot's right edge
    bottom: str  # y of the plot's bottom edge
    tick_end: str = ""  # y where the date ticks end, below the plot
    lines: list[Line] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str, str]] = field(default_factory=list)  # label, colour, dash
    x_label: str = ""
    y_label: str = ""
    x_label_at: str = ""
    y_label_at: str = ""


def _f(value: float) -> str:
    return f"{value:.1f}"


def _month_ticks(start: dt.datetime, end: dt.datetime, most: int = 6) -> list[dt.datetime]:
    months = []
    cursor = dt.datetime(start.year, start.month, 1, tzinfo=dt.UTC)
    while cursor <= end:
        if cursor >= start:
            months.append(cursor)
        cursor = dt.datetime(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1, tzinfo=dt.UTC)
    if not months:
        return [start]
    step = max(1, math.ceil(len(months) / most))
    return months[::step]


def timeline_chart(
    points: list[TimelinePoint], *, end: dt.datetime, width: int = 720, height: int = 300
) -> TimelineChart | None:
    """Geometry for ``points`` up to ``end``; ``None`` when there is nothing to draw."""
    if not points:
        return None
    left, top, right_margin, bottom_margin = 56, 12, 16, 48
    plot_w, plot_h = width - left - right_margin, height - top - bottom_margin
    start = points[0].at
    span = max((end - start).total_seconds(), 1.0)

    def x(moment: dt.datetime) -> float:
        return left + plot_w * min(max((moment - start).total_seconds() / span, 0.0), 1.0)

    def y(share: float) -> float:
        return top + plot_h * (1 - share)

    series = [
        (_("Seat share"), lambda p: float(p.largest.seat_share) if p.largest else 0.0),
        (
            _("Banzhaf index, ordinary majority"),
            lambda p: float(p.largest.standings[MAJORITY].banzhaf) if p.largest else 0.0,
        ),
        (
            _("Banzhaf index, supermajority"),
            lambda p: float(p.largest.standings[SUPERMAJORITY].banzhaf) if p.largest else 0.0,
        ),
        (
            _("Shapley–Shubik index, ordinary majority"),
            lambda p: float(p.largest.standings[MAJORITY].shapley_shubik) if p.largest else 0.0,
        ),
    ]
    dashes = ["", "6 3", "2 3", "10 3 2 3"]
    chart = TimelineChart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=_f(left + plot_w),
        bottom=_f(top + plot_h),
        tick_end=_f(top + plot_h + 5),
        x_label=_("Date"),
        y_label=_("Largest group (%)"),
        x_label_at=_f(left + plot_w / 2),
        y_label_at=_f(top + plot_h / 2),
    )
    for (label, value), colour, dash in zip(series, LINE_COLOURS, dashes, strict=True):
        coords: list[str] = []
        for i, point in enumerate(points):
            until = points[i + 1].at if i + 1 < len(points) else end
            level = y(value(point))
            coords.append(f"{_f(x(point.at))},{_f(level)}")
            coords.append(f"{_f(x(until))},{_f(level)}")
        chart.lines.append(Line(label, colour, dash, " ".join(coords)))
        chart.legend.append((label, colour, dash))
    kinds = [
        ("election", "4 3", _("Election")),
        ("size", "1 3", _("Board size changed")),
        ("rules", "8 2", _("New rule-set version")),
    ]
    for point in points:
        flags = {"election": point.election, "size": point.size_change, "rules": point.rules_change}
        for kind, dash, title in kinds:
            if flags[kind]:
                chart.markers.append(
                    Marker(kind, _f(x(point.at)), MARKER_COLOURS[kind], dash, f"{title}: {point.at:%Y-%m-%d}")
                )
    for kind, dash, title in kinds:
        if any(m.kind == kind for m in chart.markers):
            chart.legend.append((title, MARKER_COLOURS[kind], dash))
    chart.y_ticks = [Tick(_f(y(v / 100)), f"{v}") for v in (0, 25, 50, 75, 100)]
    chart.x_ticks = [Tick(_f(x(m)), m.strftime("%Y-%m")) for m in _month_ticks(start, end)]
    return chart
