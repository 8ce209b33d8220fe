"""Helpers shared by the counting methods: ballot preparation, fixed-point formatting and
the anti-capture (group cap) rule."""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeAlias

from .model import CountError, CountTimeout, Election

#: Ballots merged by identical ranking: a tuple of candidate indices, or of index tuples
#: (equal preferences) when ``prepare`` is called with ``allow_equal``, to its total weight.
Grouped: TypeAlias = dict[tuple[Any, ...], Fraction]


def prepare(
    election: Election, withdrawn: set[str], allow_equal: bool = False
) -> tuple[list[str], Grouped, list[str]]:
    """Continuing candidates and ballots grouped by identical ranking.

    Withdrawn candidates are removed from every ranking (ballots pass over them). Rankings
    are tuples of candidate indices, or of index tuples when ``allow_equal``. Identical
    rankings are merged (weights added) so large elections count quickly; they come in the
    order of each ranking's first ballot of non-zero weight.

    A ballot the method cannot take is named by its number in the file: its position in
    ``election.ballots``, or for ballots merged while reading, ``election.ballot_numbers``
    (the earliest such ballot of the file, as when the file is read unmerged).
    """
    unknown = sorted(withdrawn - set(election.candidates))
    if unknown:
        raise CountError(f"withdrawn candidates not in the election: {unknown}")
    cands = [c for c in election.candidates if c not in withdrawn]
    index = {c: i for i, c in enumerate(cands)}
    sums: dict[tuple[Any, ...], int | Fraction] = {}
    notes: list[str] = []
    empty: int | Fraction = 0
    numbers = election.ballot_numbers
    problems: list[tuple[int, str]] = []
    # Levels already translated: merged elections hold each ranking once, and a file of
    # many identical ballots repeats the same few levels.
    seen_levels: dict[tuple[str, ...], Any] = {}
    # The common case in one step (in C): every level one continuing candidate.
    simple: dict[tuple[str, ...], Any] = {(c,): ((i,) if allow_equal else i) for c, i in index.items()}
    for n, (weight, ranking) in enumerate(election.ballots, 1):
        number = n if numbers is None else numbers[n - 1]
        w = weight if isinstance(weight, int) else Fraction(weight)
        if w < 0:
            problems.append((number, f"ballot {number} has negative weight {weight}"))
            if numbers is None:
                break
            continue
        try:
            key = tuple(map(simple.__getitem__, ranking))
        except KeyError:  # equal preferences, withdrawn or unknown candidates: level by level
            pass
        else:
            if not key:
                empty += w
            elif w:
                sums[key] = sums.get(key, 0) + w
            continue
        levels = []
        problem = None
        for level in ranking:
            kept = seen_levels.get(level)
            if kept is None:
                kept = seen_levels[level] = tuple(index[c] for c in level if c in index)
                for c in level:
                    if c not in index and c not in withdrawn:
                        problem = f"ballot {number} ranks unknown candidate {c!r}"
                        del seen_levels[level]
                        break
                if problem:
                    break
            if not kept:
                continue
            if len(kept) > 1 and not allow_equal:
                problem = (
                    f"ballot {number} ranks {', '.join(cands[i] for i in kept)} equally; this "
                    "method needs strict rankings (use schulze, approval or plurality)"
                )
                break
            levels.append(kept if allow_equal else kept[0])
        if problem:
            problems.append((number, problem))
            if numbers is None:
                break
            continue
        key = tuple(levels)
        if not key:
            empty += w
            continue
        if w:
            sums[key] = sums.get(key, 0) + w
    if problems:
        raise CountError(min(problems)[1])
    groups: Grouped = {key: Fraction(w) for key, w in sums.items()}
    if empty:
        notes.append(
            f"Ballots of total weight {fmt_fraction(empty)} rank no continuing candidate and are not counted."
        )
    if withdrawn:
        notes.append("Withdrawn candidates skipped on every ballot: " + ", ".join(sorted(withdrawn)) + ".")
    return cands, groups, notes


class Deadline:
    """A point in (monotonic) time after which a count stops with ``CountTimeout``.

    ``Deadline(None)`` never expires. Methods call ``check()`` once per round or iteration,
    which costs one clock read.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() > self.at

    def check(self) -> None:
        if self.expired():
            raise CountTimeout(f"the count did not finish within {self.seconds:g} seconds")


NEVER = Deadline(None)


def display_number(text: str) -> str:
    """A count figure for people: trailing zeros of the decimals dropped (``87`` for
    ``87.000000000000000000``, ``0.5`` for ``0.500000``). The JSON record keeps the exact text."""
    if "." not in text or "/" in text:
        return text
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-", "-0") else text


def fmt_fraction(x: Fraction | int) -> str:
    """Exact text for a Fraction: an integer, a finite decimal, or 'p/q'."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        places = 0
        y = x
        while y.denominator != 1:
            y *= 10
            places += 1
        sign = "-" if y < 0 else ""
        n = abs(y.numerator)
        s = str(n).rjust(places + 1, "0")
        return f"{sign}{s[:-places]}.{s[-places:]}"
    return f"{x.numerator}/{x.denominator}"


def fmt_fixed(units: int, digits: int, display: int | None = None) -> str:
    """Decimal text of a fixed-point value with ``digits`` places, shown to ``display`` places
    (rounded half up, as droop displays guarded values)."""
    display = digits if display is None else display
    drop = digits - display
    if drop > 0:
        units = (units + 10**drop // 2) // 10**drop
    sign = "-" if units < 0 else ""
    units = abs(units)
    if display == 0:
        return f"{sign}{units}"
    whole, frac = divmod(units, 10**display)
    return f"{sign}{whole}.{frac:0{display}d}"


def residue_text(total: str, votes: list[str], exhausted: str, display: int) -> str:
    """Value lost to truncation, computed from the published (displayed) figures so that the
    published votes + non-transferable + residue add up exactly to the total."""
    rest = Decimal(total) - sum((Decimal(v) for v in votes), Decimal(0)) - Decimal(exhausted)
    return f"{rest:.{display}f}"


def mul_weight(units: int, weight: Fraction | int) -> int:
    """units * weight, truncated to the fixed-point grid when the weight is fractional."""
    if isinstance(weight, int):
        return units * weight
    return (units * weight.numerator) // weight.denominator


class GroupCap:
    """Anti-capture rule: at most ``max_per_group`` directors from one group, counting the
    sitting directors who stay (``sitting``)."""

    def __init__(
        self,
        groups: Mapping[str, str] | None = None,
        max_per_group: int | None = None,
        sitting: Mapping[str, int] | None = None,
    ) -> None:
        self.groups = dict(groups or {})
        self.max = max_per_group
        self.sitting = dict(sitting or {})
        if self.max is not None and self.max < 0:
            raise CountError("max_per_group must be zero or more")

    @property
    def active(self) -> bool:
        return self.max is not None and bool(self.groups)

    def blocked(self, candidate: str, elected: list[str]) -> str | None:
        """Why electing ``candidate`` now would break the cap, or None if it would not."""
        if not self.active or candidate not in self.groups:
            return None
        g = self.groups[candidate]
        assert self.max is not None
        already = sum(1 for e in elected if self.groups.get(e) == g)
        sitting = self.sitting.get(g, 0)
        if already + sitting + 1 <= self.max:
            return None
        return (
            f"group cap: {candidate} belongs to group {g!r}, which already has "
            f"{sitting} sitting director(s) staying on and {already} elected in this count; "
            f"the limit is {self.max} per group, so {candidate} cannot take a seat and is "
            "excluded"
        )

    def describe(self) -> str:
        return (
            f"Anti-capture rule: at most {self.max} director(s) per group, counting sitting "
            f"directors who stay ({self.sitting or 'none'})."
        )
