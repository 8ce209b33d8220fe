"""``manage.py count_ballots`` on every published ballot file, and on malformed input."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DATA = Path(__file__).resolve().parent.parent / "data" / "ballots"
ROOT = Path(__file__).resolve().parent.parent.parent

GNOME = ["Day", "Soriano", "Gerasimova", "Mena Quintero", "Sanchez", "Chimento", "McQueen"]
# (file, method, seats, expected winners as in tests/data/ballots/README.md; surnames match)
EXPECTED = [
    ("condorcet/schulze-wikipedia-45voters.blt", "schulze", 1, ["E"]),
    ("condorcet/schulze-wikipedia-30voters.blt", "schulze", 1, ["C"]),
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
    ("stv/glasgow2007-Greater-Pollock-2007.blt", "scottish", 4, ["Duffy", "Glass", "Morrison", "O'Rourke"]),
    ("stv/glasgow2007-Calton-2007.blt", "scottish", 3, ["Redmond", "Simpson", "Thewliss"]),
    ("stv/glasgow2007-Langside-2007.blt", "scottish", 3, ["Coleshill", "Dornan", "Graham"]),
    ("stv/droop-SC.blt", "scottish", 4, ["Sevigny", "LaMarche", "Rotzler", "Kramer"]),
    ("stv/droop-SC.blt", "wigm", 4, ["Sevigny", "LaMarche", "Rotzler", "Kramer"]),
    ("stv/droop-SC.blt", "meek", 4, ["LaMarche", "Rotzler", "Olsen", "Kramer"]),
    ("stv/droop-SC-Vm-12.blt", "scottish", 3, ["A", "B", "Z"]),
    ("stv/droop-SC-Vm-12.blt", "meek", 3, ["A", "B", "X"]),
    ("stv/droop-SC-Vm-12.blt", "wigm", 3, ["A", "B", "X"]),
    *[
        ("stv/droop-M135.blt", m, 7, ["C1", "C2", "C3", "C4", "C6", "C9", "C10"])
        for m in ("scottish", "meek", "wigm")
    ],
    *[("stv/votelib-gnome_26.blt", m, 7, GNOME) for m in ("meek", "scottish")],
]
# droop-42: Castor, and one of Pollux or Helen (an exact tie broken by the tie order).
TIED = [("stv/droop-42.blt", m, 2) for m in ("scottish", "meek", "wigm")]


def _run(*args: str) -> dict:
    out = StringIO()
    call_command("count_ballots", *args, stdout=out)
    return json.loads(out.getvalue())


def _matches(elected: list[str], expected: list[str]) -> bool:
    if len(elected) != len(expected):
        return False
    remaining = list(elected)
    for want in expected:
        hits = [e for e in remaining if e == want or e.endswith(" " + want)]
        if len(hits) != 1:
            return False
        remaining.remove(hits[0])
    return True


def test_every_ballot_file_is_covered():
    files = {
        str(p.relative_to(DATA))
        for p in DATA.rglob("*")
        if p.suffix == ".blt" or p.name.endswith("-tally.txt")
    }
    covered = {f for f, *_ in EXPECTED} | {f for f, *_ in TIED}
    assert files == covered


@pytest.mark.parametrize(("path", "method", "seats", "expected"), EXPECTED, ids=str)
def test_count_ballots_gives_the_published_winners(path, method, seats, expected):
    result = _run(str(DATA / path), "--method", method, "--seats", str(seats))
    assert result["method"] == method and result["seats"] == seats
    assert _matches(result["elected"], expected), result["elected"]
    assert isinstance(result["rounds"], list) and isinstance(result["ties"], list)


@pytest.mark.parametrize(("path", "method", "seats"), TIED, ids=str)
def test_count_ballots_reports_and_breaks_the_droop_42_tie(path, method, seats):
    result = _run(str(DATA / path), "--method", method, "--seats", str(seats), "--tie-seed", "charter")
    assert result["elected"][0] == "Castor"
    assert result["elected"][1] in ("Pollux", "Helen")
    if method != "scottish":  # Scottish STV's 5-decimal truncation separates them before a tie
        assert {t["chosen"] for t in result["ties"]} <= {"Pollux", "Helen"} and result["ties"]


def test_text_format_prints_a_readable_report():
    out = StringIO()
    call_command(
        "count_ballots",
        str(DATA / "condorcet/schulze-wikipedia-45voters.blt"),
        "--method",
        "schulze",
        "--format",
        "text",
        stdout=out,
    )
    assert "ELECTED E" in out.getvalue()


def test_malformed_input_names_the_line_and_the_problem(tmp_path):
    bad = tmp_path / "bad.blt"
    bad.write_text("3 1\n1 1 2 0\n1 1 9 0\n0\n")
    with pytest.raises(CommandError) as exc:
        _run(str(bad), "--method", "meek")
    assert f"{bad}:3:" in str(exc.value)


def test_malformed_input_exits_non_zero(tmp_path):
    bad = tmp_path / "bad.blt"
    bad.write_text("three 1\n")
    proc = subprocess.run(
        [sys.executable, "manage.py", "count_ballots", str(bad), "--method", "meek"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert ":1:" in proc.stderr and "header" in proc.stderr


@pytest.mark.parametrize(
    ("path", "args"),
    [
        ("stv/droop-SC.blt", ["--method", "meek", "--seats", "4"]),
        ("stv/droop-42.blt", ["--method", "scottish", "--seats", "2", "--tie-seed", "charter"]),
        ("stv/droop-M135.blt", ["--method", "wigm", "--format", "text"]),
        ("debian/debian-2006-vote_002-tally.txt", ["--method", "schulze"]),
        ("condorcet/tennessee-capital-100voters.blt", ["--method", "irv", "--withdrawn", "Memphis"]),
    ],
)
def test_python_m_elections_counting_prints_exactly_what_count_ballots_prints(path, args):
    """One implementation: the command is the standalone tool behind Django's front."""
    out = StringIO()
    call_command("count_ballots", str(DATA / path), *args, stdout=out)
    proc = subprocess.run(
        [sys.executable, "-m", "elections.counting", str(DATA / path), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == out.getvalue()


def test_the_tool_and_the_command_refuse_malformed_input_alike(tmp_path):
    bad = tmp_path / "bad.blt"
    bad.write_text('2 1\n1 1 0\n1 2 2 0\n0\n"A"\n"B"\n"T"\n')
    with pytest.raises(CommandError) as exc:
        _run(str(bad), "--method", "meek")
    proc = subprocess.run(
        [sys.executable, "-m", "elections.counting", str(bad), "--method", "meek"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert str(exc.value) == f"{bad}:3: candidate 2 is ranked twice"
    assert str(exc.value) in proc.stderr
