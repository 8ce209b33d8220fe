"""Schulze method (winning votes), as used by Debian.

d[a][b] = total weight of ballots ranking a strictly above b (an unranked candidate is below
every ranked one; equally ranked candidates are neither above nor below each other).
A pairwise win a>b counts with strength d[a][b] (winning votes); strongest paths come from the
Floyd-Warshall widest-path algorithm. The ranking is built by repeatedly taking the candidate
that no remaining candidate beats on strongest paths; N seats = first N of that ranking.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from typing import TypeVar

from .common import NEVER, Deadline, GroupCap, Grouped, fmt_fraction, prepare
from .model import CountResult, Decision, Election, Round
from .ties import TieBreaker

T = TypeVar("T", int, Fraction)


def pairwise(n: int, groups: Grouped) -> list[list[Fraction]]:
    """d[i][j]: weight of ballots preferring i to j (exact)."""
    scaled, scale = pairwise_scaled(n, groups)
    return [[Fraction(x, scale) for x in row] for row in scaled]


def pairwise_scaled(n: int, groups: Grouped) -> tuple[list[list[int]], int]:
    """The pairwise matrix in integers: (d * scale, scale), where ``scale`` is the least
    common multiple of the weights' denominators (1 for whole weights), so every entry is
    exact. With numpy and totals that fit in 64 bits, each row is one vectorised pass over
    a (rankings x candidates) array of preference levels; otherwise a pure-Python loop."""
    scale = lcm(*(w.denominator for w in groups.values())) if groups else 1
    weights = [w.numerator * (scale // w.denominator) for w in groups.values()]
    if sum(weights) < 2**62 and groups:
        try:
            # numpy costs about 0.1 s to import, so only counts that use it pay for it.
            import numpy as np
        except ImportError:  # pragma: no cover - numpy is a dependency; the loop still works
            pass
        else:
            # level[g][c]: the preference level at which ranking g places candidate c;
            # unranked candidates get n, below every ranked one (and level with each other).
            flat: list[int] = []
            row = [n] * n
            for ranking in groups:
                level = row[:]
                for pos, lv in enumerate(ranking):
                    for c in lv:
                        level[c] = pos
                flat.extend(level)
            levels = np.array(flat, dtype=np.int32).reshape(len(groups), n)
            w = np.array(weights, dtype=np.int64)
            return [(w @ (levels[:, i : i + 1] < levels)).tolist() for i in range(n)], scale
    d = [[0] * n for _ in range(n)]
    for ranking, weight in zip(groups, weights, strict=True):
        level_of = {c: pos for pos, lv in enumerate(ranking) for c in lv}
        unranked = len(ranking)
        rank = [level_of.get(c, unranked) for c in range(n)]
        for i in range(n):
            ri = rank[i]
            if ri == unranked:
                continue
            out = d[i]
            for j in range(n):
                if ri < rank[j]:
                    out[j] += weight
    return d, scale


def strongest_paths(d: list[list[T]]) -> list[list[T]]:
    """Widest paths (Floyd-Warshall) over the pairwise wins of ``d`` (Fractions or the
    scaled integers of ``pairwise_scaled``: only comparisons are made)."""
    n = len(d)
    # d[i][i] is zero (nobody prefers a candidate to itself), of the matrix's own type.
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else d[i][i] for j in range(n)] for i in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            pji = p[j][i]
            if not pji:
                continue
            for k in range(n):
                if k != i and k != j:
                    via = min(pji, p[i][k])
                    if via > p[j][k]:
                        p[j][k] = via
    return p


def count_schulze(
    election: Election,
    seats: int,
    ties: TieBreaker,
    cap: GroupCap,
    withdrawn: set[str],
    deadline: Deadline = NEVER,
) -> CountResult:
    cands, groups, notes = prepare(election, withdrawn, allow_equal=True)
    n = len(cands)
    scaled, scale = pairwise_scaled(n, groups)
    deadline.check()
    p = strongest_paths(scaled)
    d = [[Fraction(x, scale) for x in row] for row in scaled]
    remaining = list(range(n))
    order: list[int] = []
    while remaining:
        unbeaten = [i for i in remaining if not any(p[j][i] > p[i][j] for j in remaining)]
        pick = cands.index(ties.choose([cands[i] for i in unbeaten], "elect", 0))
        order.append(pick)
        remaining.remove(pick)
    wins = {cands[i]: sum(1 for j in range(n) if j != i and p[i][j] > p[j][i]) for i in range(n)}
    rnd = Round(
        number=0,
        action="pairwise comparison",
        votes={c: str(v) for c, v in wins.items()},
    )
    elected: list[str] = []
    for i in order:
        if len(elected) >= seats:
            break
        why = cap.blocked(cands[i], elected)
        if why:
            rnd.excluded.append(Decision(cands[i], why))
            continue
        elected.append(cands[i])
        rnd.elected.append(Decision(cands[i], f"position {order.index(i) + 1} in the Schulze ranking"))
    ranking_text = " > ".join(cands[i] for i in order)
    rnd.explanation = (
        "Every pair of candidates was compared: a candidate beats another when more ballot "
        "weight ranks them higher. Beats are chained into strongest paths (winning votes), and "
        f"the resulting Schulze ranking is {ranking_text}. The top {seats} eligible "
        f"candidate(s) are elected: {', '.join(elected)}. 'votes' in this round counts how "
        "many rivals each candidate beats on strongest paths."
    )
    if rnd.excluded:
        rnd.explanation += (
            " Skipped under the anti-capture rule: " + ", ".join(x.candidate for x in rnd.excluded) + "."
        )
    total = sum(groups.values(), Fraction(0))
    return CountResult(
        method="schulze",
        seats=seats,
        elected=elected,
        rounds=[rnd],
        ties=ties.ties,
        notes=notes,
        candidates=cands,
        total=fmt_fraction(total),
        tie_order=ties.order,
        extra={
            "ranking": [cands[i] for i in order],
            "pairwise": {
                cands[i]: {cands[j]: fmt_fraction(d[i][j]) for j in range(n) if j != i} for i in range(n)
            },
            "strongest_paths": {
                cands[i]: {cands[j]: fmt_fraction(Fraction(p[i][j], scale)) for j in range(n) if j != i}
                for i in range(n)
            },
        },
    )
