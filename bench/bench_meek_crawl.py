"""Meek STV on the profile that used to crawl: 1,000,001 / 1,000,001 / 1,000,000 / 1,000,000
for 3 seats, the two leaders ranking each other next, spread over 100,000 distinct ballot
lines (each with a different tail of zero-vote candidates). Prints the iterations per round
and the time. Before the fix a round took 15,635 iterations and the spread profile ran for
more than 15 minutes; the plain iteration is timed on the small profile for comparison."""

from __future__ import annotations

import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import elections.counting.meek as meek
from elections.counting import Election, count
from elections.counting.model import Ranking

ORDERS = [("A", "B", "D", "C"), ("B", "A", "C", "D"), ("C", "D", "A", "B"), ("D", "C", "A", "B")]
WEIGHTS = [1_000_001, 1_000_001, 1_000_000, 1_000_000]


def profile(lines: int) -> Election:
    extra = [f"X{i}" for i in range(40)]
    ballots: list[tuple[int | Fraction, Ranking]] = []
    per = max(1, lines // 4)
    for order, weight in zip(ORDERS, WEIGHTS, strict=True):
        for i in range(per):
            # a distinct tail per line: 3 of the 40 extra candidates, by the line's number
            tail = tuple(dict.fromkeys((extra[i % 40], extra[(i // 40) % 40], extra[(i // 1600) % 40])))
            share = weight // per + (1 if i < weight % per else 0)
            ballots.append((share, tuple((c,) for c in order) + tuple((x,) for x in tail)))
    return Election(["A", "B", "C", "D", *extra], 3, ballots)


def iterations(result) -> list[int]:
    return [
        int(r.explanation.split("after ")[1].split(" ")[0])
        for r in result.rounds[1:]
        if "after " in r.explanation
    ]


def run(label: str, election: Election) -> None:
    start = time.perf_counter()
    result = count(election, "meek", tie_seed="bench")
    took = time.perf_counter() - start
    print(f"{label}: elected {result.elected}, iterations per round {iterations(result)}, {took:.2f} s")


if __name__ == "__main__":
    run("4 lines", profile(4))
    run("100,000 distinct lines", profile(100_000))
    meek.ACCELERATE_AFTER = 10**9
    meek.MAX_ITERATIONS = 10**6
    run("4 lines, plain iteration (no Newton step)", profile(4))
