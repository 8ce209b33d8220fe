"""The power library (governance/power.py): textbook games, and brute force on random boards."""

from __future__ import annotations

import ast
import itertools
import math
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance import power

# --- Brute force: the definitions, enumerated -----------------------------------------------------


def brute_swings(weights: list[int], quota: int) -> list[int]:
    n = len(weights)
    swings = [0] * n
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(len(others) + 1):
            for coalition in itertools.combinations(others, size):
                w = sum(weights[j] for j in coalition)
                if w < quota <= w + weights[i]:
                    swings[i] += 1
    return swings


def brute_shapley(weights: list[int], quota: int) -> list[Fraction]:
    n = len(weights)
    pivotal = [0] * n
    for order in itertools.permutations(range(n)):
        total = 0
        for player in order:
            if total < quota <= total + weights[player]:
                pivotal[player] += 1
                break
            total += weights[player]
    return [Fraction(p, math.factorial(n)) for p in pivotal]


# --- Textbook cases -------------------------------------------------------------------------------


def test_51_49_49_2_every_player_has_the_same_power():
    # Any two of the three players win: the small one is as powerful as the big ones.
    assert power.banzhaf([49, 49, 2], 51) == [Fraction(1, 3)] * 3
    assert power.shapley_shubik([49, 49, 2], 51) == [Fraction(1, 3)] * 3
    assert power.swing_counts([49, 49, 2], 51) == [2, 2, 2]
    assert power.banzhaf_absolute([49, 49, 2], 51) == [Fraction(1, 2)] * 3


def test_un_security_council_shapley_shubik():
    # 5 permanent members with a veto and 10 others; 9 votes including all 5 permanent ones:
    # the weighted game [39; 7,7,7,7,7,1,...,1].
    weights = [7] * 5 + [1] * 10
    shapley = power.shapley_shubik(weights, 39)
    assert shapley[0] == Fraction(421, 2145)  # ≈ 0.1963
    assert shapley[5] == Fraction(4, 2145)  # ≈ 0.00186
    assert round(float(shapley[0]), 4) == 0.1963
    assert round(float(shapley[5]), 5) == 0.00186
    assert sum(shapley) == 1


def test_un_security_council_banzhaf():
    weights = [7] * 5 + [1] * 10
    assert power.swing_counts(weights, 39)[:6] == [848] * 5 + [84]
    banzhaf = power.banzhaf(weights, 39)
    assert round(float(banzhaf[0]), 4) == 0.1669
    assert round(float(banzhaf[5]), 4) == 0.0165
    assert power.banzhaf_absolute(weights, 39)[0] == Fraction(848, 2**14)


def test_permanent_members_each_block_and_no_one_passes_alone():
    standings = power.analyse([7] * 5 + [1] * 10, 39)
    assert [s.can_block for s in standings] == [True] * 5 + [False] * 10
    assert not any(s.can_pass for s in standings)


def test_eu_council_of_ministers_1958_luxembourg_has_no_power():
    # France, Germany, Italy 4; Belgium, the Netherlands 2; Luxembourg 1; quota 12.
    weights = [4, 4, 4, 2, 2, 1]
    assert power.banzhaf(weights, 12) == [Fraction(5, 21)] * 3 + [Fraction(1, 7)] * 2 + [Fraction(0)]
    assert power.shapley_shubik(weights, 12) == [Fraction(7, 30)] * 3 + [Fraction(3, 20)] * 2 + [Fraction(0)]
    assert power.swing_counts(weights, 12)[5] == 0


def test_a_dictator_has_all_the_power():
    assert power.banzhaf([6, 1, 1, 1], 6) == [1, 0, 0, 0]
    assert power.shapley_shubik([6, 1, 1, 1], 6) == [1, 0, 0, 0]


def test_unanimity_gives_everyone_a_veto_and_equal_power():
    standings = power.analyse([3, 2, 1], 6)
    assert all(s.can_block for s in standings)
    assert [s.shapley_shubik for s in standings] == [Fraction(1, 3)] * 3
    assert [s.banzhaf for s in standings] == [Fraction(1, 3)] * 3


def test_impossible_and_trivial_quotas_give_no_power():
    assert power.banzhaf([1, 1, 1], 4) == [0, 0, 0]
    assert power.shapley_shubik([1, 1, 1], 4) == [0, 0, 0]
    assert power.banzhaf([1, 1, 1], 0) == [0, 0, 0]
    assert power.shapley_shubik([], 1) == []


def test_negative_weights_are_refused():
    with pytest.raises(ValueError):
        power.banzhaf([1, -1], 1)


def test_coalition_counts_are_the_generating_function():
    # (1 + x y)(1 + x y)(1 + x y^2): sizes by weights.
    counts = power.coalition_counts([1, 1, 2])
    assert counts[0] == [1, 0, 0, 0, 0]
    assert counts[1] == [0, 2, 1, 0, 0]
    assert counts[2] == [0, 0, 1, 2, 0]
    assert counts[3] == [0, 0, 0, 0, 1]


def test_blocking_passing_and_quorum_alone():
    assert power.can_pass(5, 5) and not power.can_pass(4, 5)
    assert power.can_block(4, 8, 5)  # the other 4 cannot reach 5
    assert not power.can_block(3, 8, 5)
    assert power.denies_quorum(4, 8, 5) and not power.denies_quorum(3, 8, 5)


def test_a_board_of_forty_seats_is_computed_exactly_and_quickly():
    standings = power.analyse([1] * 40, 27)
    assert all(s.banzhaf == Fraction(1, 40) for s in standings)
    assert sum(s.shapley_shubik for s in standings) == 1


# --- Property: the dynamic programme agrees with the definitions -------------------------------------

boards = st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(weights=boards, data=st.data())
def test_indices_equal_brute_force_on_random_small_boards(weights, data):
    total = sum(weights)
    quota = data.draw(st.integers(min_value=0, max_value=total + 1))
    swings = brute_swings(weights, quota) if 0 < quota <= total else [0] * len(weights)
    assert power.swing_counts(weights, quota) == swings
    expected_shapley = brute_shapley(weights, quota) if 0 < quota <= total else [Fraction(0)] * len(weights)
    assert power.shapley_shubik(weights, quota) == expected_shapley
    standings = power.analyse(weights, quota)
    all_swings = sum(swings)
    for i, s in enumerate(standings):
        assert s.banzhaf == (Fraction(swings[i], all_swings) if all_swings else 0)
        assert s.banzhaf_absolute == Fraction(swings[i], 2 ** (len(weights) - 1))
        others = total - weights[i]
        assert s.can_block == (others < quota)
    if 0 < quota <= total:
        assert sum(expected_shapley) == 1
        assert sum(s.banzhaf for s in standings) == 1


def test_power_imports_nothing_of_django_or_the_project():
    source = Path(power.__file__).read_text(encoding="utf-8")
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    assert modules <= {"__future__", "collections", "dataclasses", "fractions", "math"}
