"""The seeded election the counting benchmark counts (issue 16, benchmark item 4).

100,000 weighted ranked ballots (by default), 15 candidates, 5 seats. Voters belong to a few
factions, each with its own order of the candidates; a voter takes the faction's order, makes
a few random swaps of neighbouring candidates, and ranks a prefix of random length. Weights
are 1, 5, 15 or 50 in the proportions 90 / 5 / 3 / 2. The same seed gives the same file.

    python bench/counting_profile.py [--ballots N] [--seed S] > election.blt
"""

from __future__ import annotations

import argparse
import random
import sys

CANDIDATES = 15
SEATS = 5
SEED = 16
#: (share of voters, the faction's order of candidates 1..15)
FACTIONS = (
    (0.34, (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)),
    (0.27, (6, 7, 8, 9, 1, 10, 2, 11, 3, 12, 4, 13, 5, 14, 15)),
    (0.22, (11, 12, 13, 6, 1, 14, 15, 7, 2, 8, 3, 9, 4, 10, 5)),
    (0.17, (15, 14, 5, 10, 4, 9, 3, 8, 13, 2, 7, 12, 1, 6, 11)),
)
WEIGHTS = ((1, 90), (5, 5), (15, 3), (50, 2))
NAMES = (
    "Ada Achterberg",
    "Bo Brennan",
    "Chidi Chukwu",
    "Dana Dvořák",
    "Eitan Ezra",
    "Fatima Farouk",
    "Gustav Grönlund",
    "Hana Hoshino",
    "Ines Iglesias",
    "Jonas Jablonski",
    "Kofi Kwarteng",
    "Lea Lindqvist",
    "Mateus Moreira",
    "Nadia Nowak",
    "Oskar Olsen",
)


def rankings(ballots: int, seed: int = SEED) -> list[tuple[int, tuple[int, ...]]]:
    """``ballots`` (weight, ranking) pairs; candidates numbered 1..15 as in the BLT file."""
    rng = random.Random(seed)
    shares = [share for share, _ in FACTIONS]
    orders = [order for _, order in FACTIONS]
    weights = [w for w, _ in WEIGHTS]
    weight_shares = [p for _, p in WEIGHTS]
    out: list[tuple[int, tuple[int, ...]]] = []
    for _ in range(ballots):
        order = list(rng.choices(orders, shares)[0])
        for _swap in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            i = rng.randrange(CANDIDATES - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        length = rng.randint(1, CANDIDATES)
        weight = rng.choices(weights, weight_shares)[0]
        out.append((weight, tuple(order[:length])))
    return out


def blt(ballots: int = 100_000, seed: int = SEED) -> str:
    """The election as a BLT file: one line per ballot (identical ballots are not merged)."""
    lines = [f"{CANDIDATES} {SEATS}"]
    lines.extend(f"{w} {' '.join(map(str, r))} 0" for w, r in rankings(ballots, seed))
    lines.append("0")
    lines.extend(f'"{name}"' for name in NAMES)
    lines.append(f'"Benchmark election: {ballots} ballots, seed {seed}"')
    return "\n".join(lines) + "\n"


def distinct_rankings(ballots: int = 100_000, seed: int = SEED) -> int:
    return len({r for _, r in rankings(ballots, seed)})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    sys.stdout.write(blt(args.ballots, args.seed))


if __name__ == "__main__":
    main()
