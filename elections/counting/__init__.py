"""Charter vote counting: pure Python, no Django, exact arithmetic.

Entry points: ``count(election, method, seats, ...)``, the parsers ``parse_blt``,
``parse_debian_tally`` and ``detect_and_parse``, and ``format_text`` for a readable report.
``elections.counting.package`` reads, verifies and recounts a signed count package (it needs
PyJWT and cryptography, so it is imported on its own, not from here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .common import Deadline, GroupCap, display_number
from .condorcet import count_schulze
from .gregory import count_gregory
from .meek import count_meek
from .model import (
    BallotFormatError,
    CountError,
    CountResult,
    CountTimeout,
    Decision,
    Election,
    Round,
    Tie,
    Transfer,
)
from .parse import blt_name_problem, detect_and_parse, parse_blt, parse_debian_tally
from .report import format_text
from .simple import count_simple
from .ties import TieBreaker, seed_order

METHODS = ("meek", "scottish", "wigm", "schulze", "irv", "approval", "plurality")
#: Methods that decide in one pass over a ranking of the candidates: breaking a tie another
#: way only swaps the tied candidates' places, so a tie matters only across the last seat.
ONE_PASS = ("schulze", "approval", "plurality")

#: How each method breaks ties, and how that differs from the reference counters
#: (droop for the STV rules, Debian's devotee for Schulze). Printed in every report.
TIE_RULES = {
    "meek": (
        "Candidates whose totals are within the surplus of the lowest count as tied for "
        "exclusion. The lowest current total decides, then earlier rounds (most recent "
        "first), then the tie order. The reference counter (droop, rule meek) goes straight "
        "to its tie order (random unless one is given); Charter looks at the rounds first, "
        "so a tie droop settles by lot can be settled here by the votes."
    ),
    "wigm": (
        "Earlier rounds first (most recent first: the candidate lowest there is excluded, the "
        "highest transfers its surplus first), then the tie order. The reference counter "
        "(droop, rule wigm) uses only its tie order (random unless one is given)."
    ),
    "scottish": (
        "As the Scottish rules (SSI 2007/42 rr. 49, 51) and the reference counter: earlier "
        "stages first; where they do not separate the candidates, the tie order stands in "
        "for drawing lots."
    ),
    "irv": "Earlier rounds first (most recent first), then the tie order.",
    "schulze": (
        "Candidates no remaining rival beats on strongest paths are tied for the next place; "
        "the tie order decides. Debian's counter declares such ties to its casting vote."
    ),
    "approval": "Equal totals: the tie order decides.",
    "plurality": "Equal totals: the tie order decides.",
}

__all__ = [
    "METHODS",
    "BallotFormatError",
    "CountError",
    "CountResult",
    "CountTimeout",
    "Deadline",
    "Decision",
    "Election",
    "Round",
    "Tie",
    "Transfer",
    "blt_name_problem",
    "count",
    "detect_and_parse",
    "display_number",
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
    deadline: float | Deadline | None = None,
    analyse_ties: bool = True,
) -> CountResult:
    """Count ``election`` with ``method`` for ``seats`` seats (default: the file's seats).

    ``withdrawn`` adds to the election's withdrawn candidates. ``groups``/``max_per_group``/
    ``sitting`` apply the anti-capture rule. Ties: see ``ties.py``; a ``[tie]`` line of the
    file is used when neither ``tie_order`` nor ``tie_seed`` is given. ``deadline`` (seconds,
    or a ``Deadline``) stops a count that runs longer with ``CountTimeout``.
    """
    clock = deadline if isinstance(deadline, Deadline) else Deadline(deadline)
    result = _count(
        election,
        method,
        seats,
        tie_seed,
        tie_order=tie_order,
        withdrawn=withdrawn,
        groups=groups,
        max_per_group=max_per_group,
        sitting=sitting,
        deadline=clock,
    )
    if analyse_ties and result.ties:
        _mark_decisive(
            result,
            clock,
            election,
            method,
            seats,
            tie_seed,
            tie_order,
            withdrawn,
            groups,
            max_per_group,
            sitting,
        )
    return result


def _count(
    election: Election,
    method: str,
    seats: int | None,
    tie_seed: str | None,
    *,
    tie_order: Sequence[str] | None,
    withdrawn: Iterable[str],
    groups: Mapping[str, str] | None,
    max_per_group: int | None,
    sitting: Mapping[str, int] | None,
    deadline: Deadline,
    forced: Mapping[int, str] | None = None,
) -> CountResult:
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
    ties = TieBreaker(
        continuing,
        seed=tie_seed,
        order=_restrict(tie_order, continuing),
        file_order=_restrict(election.tie_order, continuing),
        forced=forced,
    )
    if method == "irv" and seats > 1:
        raise CountError(
            f"IRV elects exactly one candidate but {seats} seats were asked for; "
            "use an STV method (meek, scottish or wigm) for several seats"
        )
    if method in ("scottish", "wigm"):
        result = count_gregory(election, seats, method, ties, cap, out, deadline)
    elif method == "meek":
        result = count_meek(election, seats, ties, cap, out, deadline)
    elif method == "schulze":
        result = count_schulze(election, seats, ties, cap, out, deadline)
    else:
        result = count_simple(election, seats, method, ties, cap, out, deadline)
    if cap.active:
        result.notes.append(cap.describe())
    result.tie_seed = tie_seed if ties.kind == "seed" else None
    result.tie_source = ties.kind
    result.tie_rule = TIE_RULES[method]
    if ties.kind == "ballot order" and any(t.method == "tie order" for t in result.ties):
        result.notes.append(
            "Some ties were broken by the ballot-file candidate order because no tie seed "
            "or tie order was given."
        )
    return result


def _mark_decisive(
    result: CountResult,
    deadline: Deadline,
    election: Election,
    method: str,
    seats: int | None,
    tie_seed: str | None,
    tie_order: Sequence[str] | None,
    withdrawn: Iterable[str],
    groups: Mapping[str, str] | None,
    max_per_group: int | None,
    sitting: Mapping[str, int] | None,
) -> None:
    """Flag each tie with whether breaking it another way would change who is elected.

    A tie whose candidates ended differently (some elected, some not) is decisive. In a
    one-pass method (Schulze, approval, plurality) any other tie only orders candidates who
    all win or all lose. In a method that excludes candidates one by one (IRV, STV) the
    count is run again with that tie broken each other way (every other tie by the rule); the
    tie is decisive if any of those counts elects someone else. If the time budget runs out
    first, the remaining ties stay marked decisive.
    """
    elected = set(result.elected)
    withdrawn = list(withdrawn)
    for index, tie in enumerate(result.ties):
        outcomes = {c in elected for c in tie.candidates}
        if len(outcomes) > 1:
            tie.decisive = True
            continue
        if method.lower().strip() in ONE_PASS:
            tie.decisive = False
            continue
        decisive = False
        for other in tie.candidates:
            if other == tie.chosen:
                continue
            if deadline.expired():
                return
            try:
                again = _count(
                    election,
                    method,
                    seats,
                    tie_seed,
                    tie_order=tie_order,
                    withdrawn=withdrawn,
                    groups=groups,
                    max_per_group=max_per_group,
                    sitting=sitting,
                    deadline=deadline,
                    forced={index: other},
                )
            except CountTimeout:
                return
            if set(again.elected) != elected:
                decisive = True
                break
        tie.decisive = decisive


def _restrict(order: Sequence[str] | None, continuing: list[str]) -> list[str] | None:
    """A published tie order may name withdrawn candidates: drop them."""
    if order is None:
        return None
    return [c for c in order if c in continuing]
