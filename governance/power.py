"""Voting power in weighted games: who can swing, pass or block a decision (pure Python).

A board decides by weighted voting: the players are groups (a corporate group, or an
independent director on their own), each weighing its number of seats, and a motion
passes when the yes votes reach the *quota*. Counting seats does not say who controls
the outcome; these indices do:

- **Banzhaf**: a player *swings* a coalition when the coalition wins with it and loses
  without it. The absolute (raw) index is the player's swings divided by the 2^(n-1)
  coalitions of the others: the chance that its vote decides the outcome when everyone
  else votes at random. The normalised index divides by all players' swings (the
  indices then add up to 1).
- **Shapley–Shubik**: the share of the n! orders of joining in which the player is the
  one who brings the coalition to the quota (is *pivotal*).
- **Passing** alone: the player's weight reaches the quota. **Blocking** alone: without
  it the others cannot reach the quota (a veto). **Denying quorum**: without it the
  others are fewer than the quorum.

Both indices are computed exactly (``fractions.Fraction``) by dynamic programming over
generating functions: for each player, the number of coalitions of the *other* players
of each size and each total weight. That is O(n² · W) per player, where W is the total
weight, so a board of a few dozen seats takes milliseconds; nothing is sampled.

This module imports nothing of Django or the project (``tests/governance/test_power.py``
checks it): the figures can be recomputed from the published board with Python alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import factorial

__all__ = [
    "Standing",
    "analyse",
    "banzhaf",
    "banzhaf_absolute",
    "can_block",
    "can_pass",
    "coalition_counts",
    "denies_quorum",
    "shapley_shubik",
    "swing_counts",
]


def _check(weights: Sequence[int]) -> list[int]:
    result = [int(w) for w in weights]
    if any(w < 0 for w in result):
        raise ValueError("weights must not be negative")
    return result


def coalition_counts(weights: Sequence[int]) -> list[list[int]]:
    """``counts[k][w]``: how many coalitions of ``k`` of these players weigh ``w`` in total.

    The coefficients of the generating function ∏ (1 + x·y^w_i), built one player at a time.
    """
    ws = _check(weights)
    total = sum(ws)
    counts = [[0] * (total + 1) for _k in range(len(ws) + 1)]
    counts[0][0] = 1
    for done, w in enumerate(ws):
        # Backwards in size, so each player joins a coalition at most once.
        for k in range(done, -1, -1):
            row, above = counts[k], counts[k + 1]
            for weight in range(total - w, -1, -1):
                if row[weight]:
                    above[weight + w] += row[weight]
    return counts


def _pivots(weights: list[int], quota: int, i: int) -> list[int]:
    """``pivots[k]``: coalitions of ``k`` other players that lose alone and win with player ``i``."""
    others = weights[:i] + weights[i + 1 :]
    counts = coalition_counts(others)
    low, high = max(quota - weights[i], 0), quota - 1
    result = []
    for row in counts:
        top = min(high, len(row) - 1)
        result.append(sum(row[low : top + 1]) if top >= low else 0)
    return result


def swing_counts(weights: Sequence[int], quota: int) -> list[int]:
    """For each player, the coalitions of the others that it turns from losing into winning.

    A quota of 0 or less (everything passes) or above the total weight (nothing passes)
    gives no swings to anyone.
    """
    ws = _check(weights)
    if quota <= 0 or quota > sum(ws):
        return [0] * len(ws)
    return [sum(_pivots(ws, quota, i)) for i in range(len(ws))]


def banzhaf(weights: Sequence[int], quota: int) -> list[Fraction]:
    """The normalised Banzhaf index: each player's share of all swings (0 for all if none)."""
    swings = swing_counts(weights, quota)
    total = sum(swings)
    return [Fraction(s, total) if total else Fraction(0) for s in swings]


def banzhaf_absolute(weights: Sequence[int], quota: int) -> list[Fraction]:
    """The absolute (raw) Banzhaf index: swings / 2^(n-1), the chance a player's vote decides."""
    swings = swing_counts(weights, quota)
    if not swings:
        return []
    coalitions = 2 ** (len(swings) - 1)
    return [Fraction(s, coalitions) for s in swings]


def shapley_shubik(weights: Sequence[int], quota: int) -> list[Fraction]:
    """The Shapley–Shubik index: the share of orderings in which each player is pivotal.

    A player is pivotal after the ``k`` players before it in ``k! (n-1-k)!`` of the ``n!``
    orderings for each losing coalition of size ``k`` it turns into a winning one.
    """
    ws = _check(weights)
    n = len(ws)
    if quota <= 0 or quota > sum(ws):
        return [Fraction(0)] * n
    orders = factorial(n)
    result = []
    for i in range(n):
        pivots = _pivots(ws, quota, i)
        ways = sum(count * factorial(k) * factorial(n - 1 - k) for k, count in enumerate(pivots))
        result.append(Fraction(ways, orders))
    return result


def can_pass(weight: int, quota: int) -> bool:
    """Whether a player of ``weight`` passes a motion with its own votes alone."""
    return quota <= weight


def can_block(weight: int, total: int, quota: int) -> bool:
    """Whether a player of ``weight`` stops a motion alone: the others cannot reach the quota."""
    return total - weight < quota


def denies_quorum(weight: int, total: int, quorum: int) -> bool:
    """Whether the others, if this player stays away, are fewer than the quorum."""
    return total - weight < quorum


@dataclass(frozen=True)
class Standing:
    """One player's position in one weighted game."""

    weight: int
    swings: int
    banzhaf: Fraction
    banzhaf_absolute: Fraction
    shapley_shubik: Fraction
    can_pass: bool
    can_block: bool


def analyse(weights: Sequence[int], quota: int) -> list[Standing]:
    """Every player's indices and whether it passes or blocks alone, in the game [quota; weights]."""
    ws = _check(weights)
    total = sum(ws)
    swings = swing_counts(ws, quota)
    all_swings = sum(swings)
    coalitions = 2 ** (len(ws) - 1) if ws else 1
    shapley = shapley_shubik(ws, quota)
    return [
        Standing(
            weight=w,
            swings=s,
            banzhaf=Fraction(s, all_swings) if all_swings else Fraction(0),
            banzhaf_absolute=Fraction(s, coalitions),
            shapley_shubik=shapley[i],
            can_pass=can_pass(w, quota) and quota <= total,
            can_block=can_block(w, total, quota),
        )
        for i, (w, s) in enumerate(zip(ws, swings, strict=True))
    ]
