"""Reproduce published results: README table winners, droop round-by-round reports, Debian."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from elections.counting import count, detect_and_parse, parse_blt

STV_REPORTS = [
    (f"stv/{name}.blt", method, f"stv/{name}.{suffix}.report.txt")
    for name in ("droop-42", "droop-M135", "droop-SC", "droop-SC-Vm-12")
    for method, suffix in (
        ("scottish", "scotland-fixed-p5-d5"),
        ("meek", "meek-o9-guarded-p18-g9-d18"),
        ("wigm", "wigm-guarded-p18-g9-d18"),
    )
] + [
    (f"stv/glasgow2007-{ward}-2007.blt", "scottish", f"stv/glasgow2007-{ward}-2007.droop-scotland-report.txt")
    for ward in ("Calton", "Drumchapel-Anniesland", "Greater-Pollock", "Langside")
]


def load(data_dir, rel):
    return detect_and_parse((data_dir / rel).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("blt", "method", "report"), STV_REPORTS, ids=lambda x: str(x))
def test_stv_rounds_match_reference_report(data_dir, droop_report, blt, method, report):
    election = load(data_dir, blt)
    result = count(election, method)
    sections = droop_report((data_dir / report).read_text(encoding="utf-8"))
    assert len(result.rounds) == len(sections), "one round per reference round"
    tol = Decimal(0) if method == "scottish" else Decimal("1e-6")
    seen_elected: set[str] = set()
    seen_defeated: set[str] = set()
    for (number, snaps), rnd in zip(sections, result.rounds, strict=True):
        assert rnd.number == number
        with_votes = [s for s in snaps if s["votes"]]
        # Meek rounds record the figures at the moment of decision (droop's first snapshot);
        # Gregory rounds the figures after the round's transfer (droop's last snapshot).
        ref = with_votes[0] if method == "meek" and number > 0 else with_votes[-1]
        for cand, value in ref["votes"].items():
            mine = Decimal(rnd.votes[cand])
            if method == "scottish":
                assert rnd.votes[cand] == f"{value:.5f}", (number, cand)
            assert abs(mine - value) <= tol, (number, cand, str(value), str(mine))
        assert abs(Decimal(rnd.quota) - ref["quota"]) <= tol, number
        states = {}
        for s in snaps:
            states.update(s["states"])
        elected = {c for c, st in states.items() if st in ("Elected", "Pending")} - seen_elected
        defeated = {c for c, st in states.items() if st == "Defeated"} - seen_defeated
        assert {d.candidate for d in rnd.elected} == elected, number
        assert {d.candidate for d in rnd.excluded} == defeated, number
        seen_elected |= elected
        seen_defeated |= defeated
        total = Decimal(result.total)
        held = sum(Decimal(v) for v in rnd.votes.values())
        assert held + Decimal(rnd.exhausted) + Decimal(rnd.residue) == total


EXPECTED = (
    [
        ("condorcet/schulze-wikipedia-45voters.blt", "schulze", 1, ["E"]),
        ("condorcet/schulze-wikipedia-45voters.blt", "plurality", 1, ["C"]),
        ("condorcet/schulze-wikipedia-45voters.blt", "irv", 1, ["C"]),
        ("condorcet/schulze-wikipedia-30voters.blt", "schulze", 1, ["C"]),
        ("condorcet/schulze-wikipedia-30voters.blt", "plurality", 1, ["D"]),
        ("condorcet/tennessee-capital-100voters.blt", "schulze", 1, ["Nashville"]),
        ("condorcet/tennessee-capital-100voters.blt", "irv", 1, ["Knoxville"]),
        ("condorcet/tennessee-capital-100voters.blt", "plurality", 1, ["Memphis"]),
        ("debian/debian-2006-vote_002-tally.txt", "schulze", 1, ["Anthony Towns"]),
        ("debian/debian-2007-vote_001-tally.txt", "schulze", 1, ["Sam Hocevar"]),
        ("debian/debian-2017-vote_001-tally.txt", "schulze", 1, ["Chris Lamb"]),
        (
            "stv/glasgow2007-Drumchapel-Anniesland-2007.blt",
            "scottish",
            4,
            ["Carey", "Findlay", "Kidd", "Purcell"],
        ),
        (
            "stv/glasgow2007-Greater-Pollock-2007.blt",
            "scottish",
            4,
            ["Duffy", "Glass", "Morrison", "O'Rourke"],
        ),
        ("stv/glasgow2007-Calton-2007.blt", "scottish", 3, ["Redmond", "Simpson", "Thewliss"]),
        ("stv/glasgow2007-Langside-2007.blt", "scottish", 3, ["Coleshill", "Dornan", "Graham"]),
        ("stv/droop-SC.blt", "scottish", 4, ["Sevigny", "LaMarche", "Rotzler", "Kramer"]),
        ("stv/droop-SC.blt", "wigm", 4, ["Sevigny", "LaMarche", "Rotzler", "Kramer"]),
        ("stv/droop-SC.blt", "meek", 4, ["LaMarche", "Rotzler", "Olsen", "Kramer"]),
        ("stv/droop-SC-Vm-12.blt", "scottish", 3, ["A", "B", "Z"]),
        ("stv/droop-SC-Vm-12.blt", "meek", 3, ["A", "B", "X"]),
        ("stv/droop-SC-Vm-12.blt", "wigm", 3, ["A", "B", "X"]),
    ]
    + [
        ("stv/droop-M135.blt", m, 7, ["C1", "C2", "C3", "C4", "C6", "C9", "C10"])
        for m in ("scottish", "meek", "wigm")
    ]
    + [("stv/droop-42.blt", m, 2, ["Castor", "Helen"]) for m in ("scottish", "meek", "wigm")]
    + [
        (
            "stv/votelib-gnome_26.blt",
            m,
            7,
            ["Day", "Soriano", "Gerasimova", "Mena Quintero", "Sanchez", "Chimento", "McQueen"],
        )
        for m in ("meek", "scottish")
    ]
)


def _surname_match(elected: list[str], expected: list[str]) -> bool:
    """README lists surnames or full names; match each to exactly one elected candidate."""
    if len(elected) != len(expected):
        return False
    remaining = list(elected)
    for want in expected:
        hits = [e for e in remaining if e == want or e.endswith(" " + want)]
        if len(hits) != 1:
            return False
        remaining.remove(hits[0])
    return True


@pytest.mark.parametrize(("path", "method", "seats", "expected"), EXPECTED, ids=str)
def test_readme_expected_winners(data_dir, path, method, seats, expected):
    result = count(load(data_dir, path), method, seats)
    assert _surname_match(result.elected, expected), result.elected


def test_schulze_rankings_match_worked_examples(data_dir):
    r45 = count(load(data_dir, "condorcet/schulze-wikipedia-45voters.blt"), "schulze")
    assert r45.extra["ranking"] == ["E", "A", "C", "B", "D"]
    r30 = count(load(data_dir, "condorcet/schulze-wikipedia-30voters.blt"), "schulze")
    assert r30.extra["ranking"] == ["C", "D", "B", "A"]


def _debian_matrix(text: str) -> dict[tuple[int, int], int]:
    rows = re.findall(r"^Option (\d+)((?:\s+\d+)+)\s*$", text, re.M)
    out = {}
    for row, rest in rows:
        nums = [int(x) for x in rest.split()]
        cols = [c for c in range(1, len(nums) + 2) if c != int(row)]
        for col, value in zip(cols, nums, strict=True):
            out[(int(row), col)] = value
    return out


@pytest.mark.parametrize("vote", ["2006-vote_002", "2007-vote_001", "2017-vote_001"])
def test_debian_pairwise_matrix_matches_official(data_dir, vote):
    election = load(data_dir, f"debian/debian-{vote}-tally.txt")
    result = count(election, "schulze")
    official = _debian_matrix((data_dir / f"debian/debian-{vote}-results.txt").read_text())
    assert official
    names = election.candidates
    for (row, col), value in official.items():
        assert result.extra["pairwise"][names[row - 1]][names[col - 1]] == str(value)


def test_debian_2017_lamb_beats_dogguy_163_to_132(data_dir):
    result = count(load(data_dir, "debian/debian-2017-vote_001-tally.txt"), "schulze")
    pairs = result.extra["pairwise"]
    assert pairs["Chris Lamb"]["Mehdi Dogguy"] == "163"
    assert pairs["Mehdi Dogguy"]["Chris Lamb"] == "132"
    assert result.elected == ["Chris Lamb"]


def test_droop_42_reports_the_tie_and_elects_helen(data_dir):
    election = parse_blt((data_dir / "stv/droop-42.blt").read_text())
    for method in ("meek", "wigm"):
        result = count(election, method, tie_order=election.candidates)
        assert result.elected == ["Castor", "Helen"]
        (tie,) = result.ties
        assert set(tie.candidates) == {"Pollux", "Helen"}
        assert tie.chosen == "Pollux" and tie.purpose == "exclude"
        assert "Pollux" in tie.detail
