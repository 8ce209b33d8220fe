"""Schulze method (winning votes), as used by Debian.

d[a][b] = total weight of ballots ranking a strictly above b (an unranked candidate is below
every ranked one; equally ranked candidates are neither above nor below each other).
A pairwise win a>b counts with strength d[a][b] (winning votes); strongest paths come from the
Floyd-Warshall widest-path algorithm. The ranking is built by repeatedly taking the candidate
that no remaining candidate beats on strongest paths; N seats = first N of that ranking.
"""

from __future__ import annotations

from fractions import Fraction

from .common import NEVER, Deadline, GroupCap, Grouped, fmt_fraction, prepare
from .model import CountResult, Decision, Election, Round
from .ties import TieBreaker


def pairwise(n: int, groups: Grouped) -> list[list[Fraction]]:
    """d[i][j]: weight of ballots preferring i to j."""
    d = [[Fraction(0)] * n for _ in range(n)]
    for ranking, w in groups.items():
        level = {c: pos for pos, lv in enumerate(ranking) for c in lv}
        unranked = len(ranking)
        rank = [level.get(c, unranked) for c in range(n)]
        for i in range(n):
            ri = rank[i]
            if ri == unranked:
                continue
            row = d[i]
            for j in range(n):
                if ri < rank[j]:
                    row[j] += w
    return d


def strongest_paths(d: list[list[Fraction]]) -> list[list[Fraction]]:
    n = len(d)
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else Fraction(0) for j in range(n)] for i in range(n)]
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
    d = pairwise(n, groups)
    deadline.check()
    p = strongest_paths(d)
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
                cands[i]: {cands[j]: fmt_fraction(p[i][j]) for j in range(n) if j != i} for i in range(n)
            },
        },
    )
