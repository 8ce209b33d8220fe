"""Data model shared by every counting method: the election input and the count result.

Everything here is plain Python (no Django) so that a count can be re-run and audited anywhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

# A ranking is a sequence of preference levels; each level is a tuple of candidate names that
# the voter ranked equally (a BLT ballot without "=" has one name per level).
Ranking = tuple[tuple[str, ...], ...]
Weight = int | Fraction


class BallotFormatError(ValueError):
    """Malformed ballot input; ``line_number`` is 1-based (0 when no single line is to blame)."""

    def __init__(self, line_number: int, message: str) -> None:
        self.line_number = line_number
        self.message = message
        super().__init__(f"line {line_number}: {message}")


class CountError(ValueError):
    """The count cannot be run as asked (bad method, bad seats, unsupported ballots...)."""


class CountTimeout(CountError):
    """The count did not finish before its deadline (the rule set's time budget)."""


@dataclass
class Election:
    """Parsed ballots: candidate names in file order, and weighted rankings."""

    candidates: list[str]
    seats: int
    ballots: list[tuple[Weight, Ranking]]
    withdrawn: set[str] = field(default_factory=set)
    title: str = ""
    #: A tie order the file itself names (a ``[tie ...]`` line), used when the count is
    #: given neither a tie order nor a seed.
    tie_order: list[str] | None = None
    #: When identical ballots were merged while reading (``parse_blt(..., group=True)``): for
    #: each entry of ``ballots``, the 1-based number in the file of the first ballot it merges,
    #: so that a message about a ballot names the same one as for the file read unmerged.
    ballot_numbers: list[int] | None = None

    def total_weight(self) -> Fraction:
        return sum((Fraction(w) for w, _ in self.ballots), Fraction(0))


@dataclass
class Decision:
    """A candidate elected or excluded in a round, with the reason in plain words."""

    candidate: str
    reason: str


@dataclass
class Transfer:
    """Votes moved in a round: ``target`` None means the votes became non-transferable."""

    source: str
    target: str | None
    votes: str


@dataclass
class Round:
    """One stage of the count.

    ``votes`` are exact decimal strings in the method's own arithmetic (5 places for Scottish
    STV, 18 for Meek and WIGM, exact integers or fractions for the other methods).
    For STV: sum(votes) + exhausted + residue == total valid weight, where ``residue`` is the
    value lost to the method's truncation (reported, never hidden).
    """

    number: int
    action: str
    votes: dict[str, str]
    quota: str | None = None
    exhausted: str = "0"
    residue: str = "0"
    transfers: list[Transfer] = field(default_factory=list)
    elected: list[Decision] = field(default_factory=list)
    excluded: list[Decision] = field(default_factory=list)
    keep_factors: dict[str, str] = field(default_factory=dict)
    explanation: str = ""


@dataclass
class Tie:
    """A tie that had to be broken, how, and who was picked for the action."""

    round: int
    purpose: str  # "exclude", "surplus" or "elect"
    candidates: list[str]
    chosen: str
    method: str  # "round totals" (earlier, or for Meek current, rounds) or "tie order"
    detail: str
    #: Whether breaking the tie another way would change who is elected. Reports list only
    #: decisive ties; every tie stays in the JSON record with this flag.
    decisive: bool = True


@dataclass
class CountResult:
    method: str
    seats: int
    elected: list[str]
    rounds: list[Round] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    total: str = "0"
    tie_order: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    tie_seed: str | None = None
    #: Where the tie order came from ("seed", "order", "file" or "ballot order").
    tie_source: str = ""
    #: How ties are broken in this method, and how that differs from the reference counter.
    tie_rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict (all numbers are already strings or ints)."""
        return asdict(self)
