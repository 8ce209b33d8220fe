"""Parsers, errors, withdrawn candidates, anti-capture rule, ties, reports, performance."""

from __future__ import annotations

import hashlib
import json
import random
import time

import pytest

from elections.counting import (
    BallotFormatError,
    CountError,
    Election,
    count,
    detect_and_parse,
    format_text,
    parse_blt,
    parse_debian_tally,
    seed_order,
)

GOOD = '3 1\n2 1 2 0\n1 3 0\n0\n"Ann"\n"Bob"\n"Cy"\n"Title"\n'


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("3\n1 1 0\n0\n", 1, "header"),
        ('2 1\n1 1 3 0\n0\n"A"\n"B"\n"T"\n', 2, "not between 1 and 2"),
        ('2 1\n1 1 2\n0\n"A"\n"B"\n"T"\n', 2, "must end with 0"),
        ('2 1\n1 1 1 0\n0\n"A"\n"B"\n"T"\n', 2, "ranked twice"),
        ('2 1\nx 1 0\n0\n"A"\n"B"\n"T"\n', 2, "not a number"),
        ("2 1\n1 1 0\n1 2 0\n", 3, "missing the lone 0"),
        ('2 1\n1 1 0\n0\n"A"\nB\n', 5, "quoted name"),
        ('2 1\n1 1 0\n0\n"A"\n"A"\n"T"\n', 5, "duplicate candidate name"),
    ],
)
def test_malformed_blt_names_the_line(text, line, words):
    with pytest.raises(BallotFormatError) as err:
        parse_blt(text)
    assert err.value.line_number == line
    assert f"line {line}" in str(err.value) and words in str(err.value)


def test_malformed_debian_tally_names_the_line():
    head = "     Option 1--->: A\n   /  Option 2-->: B\n   |/\n"
    with pytest.raises(BallotFormatError) as err:
        parse_debian_tally(head + "V: 12 \t abc\nV: 123 \t def\n")
    assert err.value.line_number == 5 and "3 characters" in str(err.value)
    with pytest.raises(BallotFormatError) as err:
        parse_debian_tally(head + "V: 1* \t abc\n")
    assert err.value.line_number == 4 and "invalid rank" in str(err.value)


def test_parse_blt_basic_and_detect():
    e = detect_and_parse(GOOD)
    assert e.candidates == ["Ann", "Bob", "Cy"] and e.seats == 1 and e.title == "Title"
    assert e.ballots == [(2, (("Ann",), ("Bob",))), (1, (("Cy",),))]


def test_debian_ties_and_unranked():
    text = "  Option 1--->: A\n  Option 2-->: B\n  Option 3->: C\nV: 1-1 \t h\nV: 21- \t h\n"
    e = parse_debian_tally(text)
    assert e.ballots[0][1] == (("A", "C"),)
    assert e.ballots[1][1] == (("B",), ("A",))


def test_equal_preferences_in_blt():
    e = parse_blt('3 1\n1 1=2 3 0\n0\n"A"\n"B"\n"C"\n"T"\n')
    assert e.ballots[0][1] == (("A", "B"), ("C",))
    with pytest.raises(CountError, match="equally"):
        count(e, "meek")
    assert count(e, "plurality", tie_seed="s").elected in (["A"], ["B"])
    assert count(e, "schulze", tie_seed="s").elected in (["A"], ["B"])


def test_irv_with_several_seats_points_to_stv():
    with pytest.raises(CountError, match="STV"):
        count(parse_blt(GOOD), "irv", 2)
    with pytest.raises(CountError, match="unknown method"):
        count(parse_blt(GOOD), "borda")


def test_withdrawn_candidates_are_skipped():
    text = '3 1\n-1\n4 1 2 0\n3 3 0\n0\n"Ann"\n"Bob"\n"Cy"\n"T"\n'
    e = parse_blt(text)
    assert e.withdrawn == {"Ann"}
    for method in ("meek", "wigm", "scottish", "irv", "plurality", "schulze", "approval"):
        result = count(e, method)
        assert result.elected == ["Bob"], method
        assert "Ann" not in result.rounds[0].votes
    # the same through the parameter
    plain = parse_blt(GOOD)
    assert count(plain, "irv", withdrawn=["Ann"]).elected == ["Bob"]
    with pytest.raises(CountError):
        count(plain, "irv", withdrawn=["Nobody"])


def _capture_election() -> Election:
    ballots = [
        (12, (("A1",), ("A2",))),
        (11, (("A2",), ("A1",))),
        (5, (("B",), ("C",))),
        (3, (("C",), ("B",))),
    ]
    return Election(["A1", "A2", "B", "C"], 2, ballots)


@pytest.mark.parametrize("method", ["meek", "wigm", "scottish", "schulze", "approval", "plurality"])
def test_group_cap_excludes_second_candidate_of_a_group(method):
    e = _capture_election()
    uncapped = count(e, method, 2, tie_seed="t")
    assert set(uncapped.elected) == {"A1", "A2"}
    result = count(e, method, 2, tie_seed="t", groups={"A1": "acme", "A2": "acme"}, max_per_group=1)
    # approval ties A1 and A2 (23 each); elsewhere A1 has more votes and keeps the seat
    kept = "A1" if method != "approval" else result.elected[0]
    other = ({"A1", "A2"} - {kept}).pop()
    assert kept in result.elected and other not in result.elected
    assert len(result.elected) == 2
    reasons = [d.reason for r in result.rounds for d in r.excluded if d.candidate == other]
    assert reasons and "group cap" in reasons[0] and "acme" in reasons[0]
    assert "group cap" in format_text(result)


def test_group_cap_counts_sitting_directors():
    e = _capture_election()
    result = count(e, "meek", 2, groups={"A1": "acme", "A2": "acme"}, max_per_group=1, sitting={"acme": 1})
    assert set(result.elected) == {"B", "C"}
    assert any("sitting" in n for n in result.notes)


def test_seed_order_is_sha256_of_seed_and_name():
    names = ["Ann", "Bob", "Cy", "Di"]
    expected = sorted(names, key=lambda c: hashlib.sha256(f"2026-agm:{c}".encode()).hexdigest())
    assert seed_order(names, "2026-agm") == expected


def test_ties_are_reported_and_follow_the_seed():
    e = Election(["Ann", "Bob", "Cy"], 1, [(1, (("Ann",),)), (1, (("Bob",),)), (1, (("Cy",),))])
    first = seed_order(e.candidates, "coin")[0]
    result = count(e, "plurality", tie_seed="coin")
    assert result.elected == [first]
    (tie,) = result.ties
    assert tie.method == "tie order" and "SHA-256" in tie.detail
    irv = count(e, "irv", tie_order=["Cy", "Bob", "Ann"])
    assert irv.ties[0].chosen == "Cy" and irv.ties[0].purpose == "exclude"
    assert "Cy" not in irv.elected


def test_stv_tie_uses_earlier_round_before_tie_order():
    # Round 3: B and C both hold 5 votes; in round 1 C had 3 and B 5, so C is excluded even
    # though the tie order would have picked B.
    ballots = [
        (3, (("C",), ("A",), ("D",))),
        (5, (("B",), ("C",), ("A",))),
        (2, (("D",), ("C",))),
        (6, (("A",), ("B",))),
    ]
    e = Election(["A", "B", "C", "D"], 2, ballots)
    result = count(e, "scottish", 2, tie_order=["B", "C", "D", "A"])
    assert result.elected == ["A", "B"]
    (tie,) = result.ties
    assert tie.round == 3 and set(tie.candidates) == {"B", "C"}
    assert tie.chosen == "C" and tie.method == "round totals" and "round 1" in tie.detail
    assert "C" in [d.candidate for d in result.rounds[3].excluded]


def test_result_is_json_serialisable_and_readable(data_dir):
    e = parse_blt((data_dir / "stv/droop-SC.blt").read_text())
    for method in ("meek", "wigm", "scottish", "schulze", "approval", "plurality"):
        result = count(e, method, 4, tie_seed="x")
        json.dumps(result.to_dict())
        text = format_text(result)
        assert "Elected, in order" in text
        assert all(r.explanation for r in result.rounds)


def test_meek_counts_100k_ballots_quickly():
    rng = random.Random(7)
    cands = [f"Cand {i}" for i in range(12)]
    ballots = []
    for _ in range(100_000):
        ranking = rng.sample(cands, rng.randint(1, 6))
        ballots.append((rng.randint(1, 3), tuple((c,) for c in ranking)))
    e = Election(cands, 5, ballots)
    start = time.perf_counter()
    result = count(e, "meek")
    assert time.perf_counter() - start < 20
    assert len(result.elected) == 5
