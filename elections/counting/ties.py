"""Deterministic, published tie-breaking.

Order of precedence when candidates are tied for an action (exclusion, election, or which
surplus to transfer first):

1. Earlier rounds: look back through the previous rounds, most recent first, for a round
   where the tied candidates' totals differ; keep only those with the lowest total (for an
   exclusion) or the highest (for an election or surplus), and repeat with any still tied.
   This is the Scottish statutory rule (SSI 2007/42 rr. 49, 51) applied to every method.
2. Tie order: a published list of all candidates, used like lots drawn in advance: the tied
   candidate that comes FIRST in the tie order is the one picked for the action at hand (the
   one excluded, elected, or whose surplus is transferred first). This is how the reference
   program "droop" uses its tie order. The tie order is, in priority:
     * an explicit ``tie_order`` list given to the count, else
     * with a ``tie_seed``: candidates sorted by the lowercase hex SHA-256 digest of the UTF-8
       string f"{seed}:{candidate_name}", ascending (anyone can recompute it), else
     * a ``[tie ...]`` line of the ballot file, else
     * the candidate order of the ballot file (droop's default), noted in the result.

Reports list only decisive ties (``Tie.decisive``): ties whose other outcome would change who
is elected. ``forced`` lets the count be rerun with one tie broken another way to find out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TypeVar

from .model import CountError, Tie

#: A candidate's total in a round: fixed-point units (Meek, Gregory) or an exact fraction (IRV).
Total = TypeVar("Total", int, Fraction)


def _equal(a: object, b: object) -> bool:
    return a == b


def seed_order(candidates: Iterable[str], seed: str) -> list[str]:
    """Candidates by sha256(f"{seed}:{name}") hex digest ascending."""
    return sorted(candidates, key=lambda c: (hashlib.sha256(f"{seed}:{c}".encode()).hexdigest(), c))


class TieBreaker:
    """Breaks ties and records each one for the report."""

    def __init__(
        self,
        candidates: Sequence[str],
        seed: str | None = None,
        order: Sequence[str] | None = None,
        *,
        file_order: Sequence[str] | None = None,
        forced: Mapping[int, str] | None = None,
    ) -> None:
        self.seed = seed
        self.forced = dict(forced or {})
        if order is None and seed is None and file_order is not None:
            order = file_order
            self.kind = "file"
        else:
            self.kind = "order" if order is not None else ("seed" if seed is not None else "ballot order")
        if order is not None:
            unknown = [c for c in order if c not in candidates]
            if unknown:
                raise CountError(f"tie order names unknown candidates: {unknown}")
            missing = [c for c in candidates if c not in order]
            if missing:
                raise CountError(f"tie order must list every candidate; missing {missing}")
            self.order = list(dict.fromkeys(order))
            self.source = (
                "the ballot file's [tie] order" if self.kind == "file" else "the published tie order"
            )
        elif seed is not None:
            self.order = seed_order(candidates, seed)
            self.source = f'SHA-256 order of seed "{seed}"'
        else:
            self.order = list(candidates)
            self.source = "ballot-file candidate order (no tie seed was given)"
        self.rank = {c: i for i, c in enumerate(self.order)}
        self.ties: list[Tie] = []

    def choose(
        self,
        tied: Iterable[str],
        purpose: str,
        round_no: int,
        history: Sequence[tuple[int, Mapping[str, Total]]] = (),
        lowest: bool = True,
        same: Callable[[Total, Total], bool] = _equal,
        fmt: Callable[[Total], str] = str,
    ) -> str:
        """Pick one of ``tied`` and record how.

        ``history`` holds (round number, totals) for earlier rounds, oldest first; ``lowest``
        says whether the lowest earlier total is picked (exclusion) or the highest.
        ``same`` compares two totals (tolerant for guarded arithmetic).
        """
        tied = sorted(set(tied), key=lambda c: self.rank.get(c, len(self.rank)))
        if len(tied) == 1:
            return tied[0]
        forced = self.forced.get(len(self.ties))
        if forced in tied:
            self.ties.append(
                Tie(round_no, purpose, tied, forced, "forced", "rerun with this tie broken another way")
            )
            return forced
        remaining = list(tied)
        steps: list[str] = []
        for rno, totals in reversed(history):
            vals = {c: totals[c] for c in remaining}
            ext = min(vals.values()) if lowest else max(vals.values())
            keep = [c for c in remaining if same(vals[c], ext)]
            if len(keep) < len(remaining):
                word = "lowest" if lowest else "highest"
                steps.append(
                    f"in round {rno} "
                    + ", ".join(f"{c} had {fmt(vals[c])}" for c in remaining)
                    + f"; {word}: {', '.join(keep)}"
                )
                remaining = keep
                if len(remaining) == 1:
                    chosen = remaining[0]
                    self.ties.append(Tie(round_no, purpose, tied, chosen, "round totals", "; ".join(steps)))
                    return chosen
        chosen = remaining[0]
        detail = "; ".join([*steps, f"equal in every earlier round, so {self.source} decides"])
        detail += f" ({' > '.join(c for c in self.order if c in remaining)}): {chosen} first"
        self.ties.append(Tie(round_no, purpose, tied, chosen, "tie order", detail))
        return chosen
