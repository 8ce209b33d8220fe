"""The rounds of a count as a stacked-bar SVG (server-rendered: no script, no style attribute)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from elections.counting import display_number

# Colour-blind-safe palette (Okabe-Ito) plus greys; SVG ``fill`` attributes are not style attributes.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
EXHAUSTED = "#999999"


@dataclass
class Segment:
    """Coordinates are strings: templates localise floats ("90,5" in German), SVG needs "90.5"."""

    category: str
    value: str
    x: str
    width: str
    fill: str


@dataclass
class Bar:
    label: str
    y: int
    segments: list[Segment] = field(default_factory=list)


@dataclass
class RoundsChart:
    width: int
    height: int
    bar_height: int
    label_width: int
    bars: list[Bar]
    legend: list[tuple[str, str]]
    # The value axis along the bottom (0 to ``biggest`` votes over ``usable``) and its title.
    axis_y: int = 0
    usable: int = 0
    biggest: str = "0"


def _num(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def rounds_chart(
    result: dict[str, Any], *, width: int = 720, bar_height: int = 22, gap: int = 10
) -> RoundsChart:
    """One bar per round, one segment per candidate (and the exhausted votes), scaled to the largest round."""
    rounds = result.get("rounds") or []
    candidates = list(result.get("candidates") or [])
    if not candidates and rounds:
        candidates = list(rounds[0].get("votes", {}).keys())
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(candidates)}
    label_width = 90
    usable = width - label_width - 10
    totals = [
        sum((_num(v) for v in r.get("votes", {}).values()), Decimal(0)) + _num(r.get("exhausted"))
        for r in rounds
    ]
    biggest = max(totals, default=Decimal(0)) or Decimal(1)
    bars = []
    for index, rnd in enumerate(rounds):
        bar = Bar(label=str(rnd.get("number", index)), y=index * (bar_height + gap))
        x = Decimal(label_width)
        parts = [
            (name, rnd.get("votes", {}).get(name)) for name in candidates if name in rnd.get("votes", {})
        ]
        parts.append(("exhausted", rnd.get("exhausted", "0")))
        for name, value in parts:
            amount = _num(value)
            if amount <= 0:
                continue
            w = amount * usable / biggest
            bar.segments.append(
                Segment(
                    name, display_number(str(value)), f"{x:.2f}", f"{w:.2f}", colours.get(name, EXHAUSTED)
                )
            )
            x += w
        bars.append(bar)
    legend = [(name, colours[name]) for name in candidates] + [("exhausted", EXHAUSTED)]
    axis_y = max(len(rounds), 1) * (bar_height + gap)
    return RoundsChart(
        width=width,
        height=axis_y + 40,  # the value axis: its ticks, then its title
        bar_height=bar_height,
        label_width=label_width,
        bars=bars,
        legend=legend,
        axis_y=axis_y,
        usable=usable,
        biggest=display_number(str(biggest)) if totals else "0",
    )
