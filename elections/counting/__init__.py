"""Charter vote counting: pure Python, no Django, exact arithmetic.

Entry points: ``count(election, method, seats, ...)``, the parsers ``parse_blt``,
``parse_debian_tally`` and ``detect_and_parse``, and ``format_text`` for a readable report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .common import GroupCap
from .condorcet import count_schulze
from .gregory import count_gregory
from .meek import count_meek
from .model import (
    BallotFormatError,
    CountError,
    CountResult,
    Decision,
    Election,
    Round,
    Tie,
    Transfer,
)
from .parse import detect_and_parse, parse_blt, parse_debian_tally
from .report import format_text
from .simple import count_simple
from .ties import TieBreaker, seed_order

METHODS = ("meek", "scottish", "wigm", "schulze", "irv", "approval", "plurality")

__all__ = [
    "METHODS",
    "BallotFormatError",
    "CountError",
    "CountResult",
    "Decision",
    "Election",
    "Round",
    "Tie",
    "Transfer",
    "count",
    "detect_and_parse",
    "format_text",
    "parse_blt",
    "parse_debian_tally",
    "seed_order",
]


def count(
    election: Election,
    method: str,
    seats: int | None = None,
    tie_seed: str | None = None,
    *,
    tie_order: Sequence[str] | None = None,
    withdrawn: Iterable[str] = (),
    groups: Mapping[str, str] | None = None,
    max_per_group: int | None = None,
    sitting: Mapping[str, int] | None = None,
) -> CountResult:
    """Count ``election`` with ``method`` for ``seats`` seats (default: the file's seats).

    ``withdrawn`` adds to the election's withdrawn candidates. ``groups``/``max_per_group``/
    ``sitting`` apply the anti-capture rule. Ties: see ``ties.py``.
    """
    method = method.lower().strip()
    if method not in METHODS:
        raise CountError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    seats = election.seats if seats is None else seats
    if not isinstance(seats, int) or seats < 1:
        raise CountError("seats must be a whole number of at least 1")
    out = set(election.withdrawn) | set(withdrawn)
    unknown = sorted(out - set(election.candidates))
    if unknown:
        raise CountError(f"withdrawn candidates not in the election: {unknown}")
    continuing = [c for c in election.candidates if c not in out]
    if groups:
        bad = sorted(set(groups) - set(election.candidates))
        if bad:
            raise CountError(f"groups name unknown candidates: {bad}")
    cap = GroupCap(groups, max_per_group, sitting)
    ties = TieBreaker(continuing, seed=tie_seed, order=_restrict(tie_order, continuing))
    if method == "irv" and seats > 1:
        raise CountError(
            f"IRV elects exactly one candidate but {seats} seats were asked for; "
            "use an STV method (meek, scottish or wigm) for several seats"
        )
    if method in ("scottish", "wigm"):
        result = count_gregory(election, seats, method, ties, cap, out)
    elif method == "meek":
        result = count_meek(election, seats, ties, cap, out)
    elif method == "schulze":
        result = count_schulze(election, seats, ties, cap, out)
    else:
        result = count_simple(election, seats, method, ties, cap, out)
    if cap.active:
        result.notes.append(cap.describe())
    if tie_seed is None and tie_order is None and any(t.method == "tie order" for t in result.ties):
        result.notes.append(
            "Some ties were broken by the ballot-file candidate order because no tie seed "
            "or tie order was given."
        )
    return result


def _restrict(order: Sequence[str] | None, continuing: list[str]) -> list[str] | None:
    """A published tie order may name withdrawn candidates: drop them."""
    if order is None:
        return None
    return [c for c in order if c in continuing]
