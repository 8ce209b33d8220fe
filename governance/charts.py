"""Server-rendered SVG charts (no scripts, no style attributes): geometry for templates."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from governance.selectors import Series

# Colour-blind-safe palette (Okabe-Ito); SVG ``fill`` attributes are not style attributes.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"]


@dataclass
class Segment:
    category: str
    value: float
    x: float
    width: float
    fill: str


@dataclass
class Bar:
    label: str
    y: float
    total: float
    segments: list[Segment]
    end_x: float = 0.0


@dataclass
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]
    legend: list[tuple[str, str]]
    series: Series
    # The axes: the bars' labels (dates, down the side) and the values (along the bottom,
    # from 0 to ``scale_max`` over ``plot_width`` at ``axis_y``).
    label_axis: str = ""
    value_axis: str = ""
    scale_max: float = 0.0
    plot_width: float = 0.0
    axis_y: int = 0


def stacked_bars(
    series: Series,
    *,
    width: int = 640,
    label_width: int = 110,
    bar_height: int = 22,
    label_axis: str = "",
    value_axis: str = "",
) -> Chart:
    """Horizontal stacked bars, one per label, scaled to the largest total, with both axes titled."""
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(series.categories)}
    totals = [sum(v.values()) for v in series.values]
    scale_max = max(totals, default=0) or 1
    plot = width - label_width - 40
    bars = []
    for row, (label, values) in enumerate(zip(series.labels, series.values, strict=True)):
        x = float(label_width)
        segments = []
        for category in series.categories:
            value = values.get(category, 0)
            if not value:
                continue
            w = plot * value / scale_max
            segments.append(Segment(category, value, round(x, 1), round(w, 1), colours[category]))
            x += w
        bars.append(Bar(label, row * (bar_height + 8) + 4, sum(values.values()), segments, round(x + 4, 1)))
    axis_y = len(bars) * (bar_height + 8) + 4
    height = axis_y + 40  # the value axis: its ticks, then its title
    return Chart(
        width,
        height,
        label_width,
        bar_height,
        bars,
        list(colours.items()),
        series,
        label_axis=label_axis or _("Date"),
        value_axis=value_axis or _("Number"),
        scale_max=scale_max,
        plot_width=plot,
        axis_y=axis_y,
    )
