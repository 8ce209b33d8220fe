"""``python -m elections.counting``: a count without Django, ballots merged while reading.

The command ``manage.py count_ballots`` is the same code (tests/elections); here: the tool
loads nothing of Django or the project, prints what the library counts, exits as documented,
and merging identical ballots while reading never changes a count or an error message.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import elections.counting
from elections.counting import BallotFormatError, CountError, count, detect_and_parse, parse_blt

ROOT = Path(elections.counting.__file__).resolve().parent.parent.parent
DATA = ROOT / "tests" / "data" / "ballots"
PROJECT = ("django", "config", "core", "members", "governance", "demo")
ALL = ("meek", "wigm", "scottish", "schulze", "irv", "approval", "plurality")


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "elections.counting", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _modules_after(args: list[str]) -> set[str]:
    """The modules loaded by running the tool's ``__main__`` with ``args`` (in a fresh
    interpreter: the tool exits, and the list is printed on the way out)."""
    script = (
        "import json, runpy, sys\n"
        f"sys.argv = ['elections.counting', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('elections.counting', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("method", ["meek", "scottish", "schulze"])
def test_the_tool_loads_neither_django_nor_the_project(method):
    loaded = _modules_after([str(DATA / "stv/droop-SC.blt"), "--method", method, "--seats", "4"])
    assert "elections.counting.cli" in loaded  # the run really went through the tool
    leaked = sorted(
        name
        for name in loaded
        if name.split(".")[0] in PROJECT
        or (name.startswith("elections.") and not name.startswith("elections.counting"))
    )
    assert leaked == []
    # What a plain count does not need stays unloaded: package checking (PyJWT,
    # cryptography), and numpy except for Schulze's pairwise matrix.
    assert not {"jwt", "cryptography", "elections.counting.package"} & loaded
    assert ("numpy" in loaded) == (method == "schulze")


@pytest.mark.parametrize(
    ("path", "method", "extra"),
    [
        ("stv/droop-SC.blt", "meek", ["--seats", "4"]),
        ("stv/glasgow2007-Calton-2007.blt", "scottish", ["--seats", "3", "--tie-seed", "x"]),
        ("debian/debian-2017-vote_001-tally.txt", "schulze", []),
        ("condorcet/tennessee-capital-100voters.blt", "irv", []),
    ],
)
def test_the_tool_prints_the_library_count_as_json(path, method, extra):
    proc = _tool(str(DATA / path), "--method", method, *extra)
    assert proc.returncode == 0, proc.stderr
    election = detect_and_parse((DATA / path).read_text(encoding="utf-8"))
    seats = int(extra[extra.index("--seats") + 1]) if "--seats" in extra else None
    seed = extra[extra.index("--tie-seed") + 1] if "--tie-seed" in extra else None
    expected = count(election, method, seats, seed).to_dict()
    assert json.loads(proc.stdout) == expected
    assert proc.stdout == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_the_tool_exits_1_naming_the_line_or_the_problem_and_2_for_bad_options(tmp_path):
    bad = tmp_path / "bad.blt"
    bad.write_text('2 1\n1 1 0\n1 1 1 0\n0\n"A"\n"B"\n"T"\n')
    proc = _tool(str(bad), "--method", "meek")
    assert proc.returncode == 1 and proc.stdout == ""
    assert f"{bad}:3: candidate 1 is ranked twice" in proc.stderr
    equal = tmp_path / "equal.blt"
    equal.write_text('3 1\n1 1 2 0\n1 1 2 0\n2 2=3 0\n0\n"A"\n"B"\n"C"\n"T"\n')
    proc = _tool(str(equal), "--method", "scottish")
    assert proc.returncode == 1
    assert f"{equal}: ballot 3 ranks B, C equally" in proc.stderr
    assert _tool(str(tmp_path / "missing.blt"), "--method", "meek").returncode == 1
    assert _tool(str(bad), "--method", "borda").returncode == 2  # argparse refuses the choice
    proc = _tool(str(bad))
    assert proc.returncode == 1 and "--method" in proc.stderr


# --- Merged while reading: the same counts, the same errors ------------------------------

LINE_WEIGHTS = ("1", "1", "2", "5", "0", "3/2", "1/3", "0.25")


@st.composite
def blt_files(draw) -> str:
    """A BLT file whose ballot lines repeat (rankings and weights drawn from small pools),
    with equal preferences, zero and fractional weights, withdrawn candidates, comments and
    blank lines, and now and then a faulty line."""
    n = draw(st.integers(2, 5))
    numbers = [str(i) for i in range(1, n + 1)]
    rankings = []
    for _ in range(draw(st.integers(1, 4))):
        tokens = list(draw(st.permutations(numbers))[: draw(st.integers(0, n))])
        if len(tokens) >= 2 and draw(st.integers(0, 5)) == 0:
            tokens[0:2] = [f"{tokens[0]}={tokens[1]}"]
        rankings.append(tokens)
    line = st.builds(
        lambda w, r: " ".join([w, *r, "0"]), st.sampled_from(LINE_WEIGHTS), st.sampled_from(rankings)
    )
    others = ["", "# a comment", "1 1 0  # with a comment"]
    if draw(st.integers(0, 6)) == 0:
        others.append(draw(st.sampled_from(["1 1 1 0", f"1 {n + 1} 0", "x 1 0", "1 1", "[tie 1]", "-1"])))
    lines = [f"{n} {draw(st.integers(1, 3))}"]
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"-{draw(st.integers(1, n))}")
    lines += draw(st.lists(st.one_of(line, line, line, st.sampled_from(others)), min_size=1, max_size=25))
    lines.append("0")
    lines += [f'"C{i}"' for i in range(1, n + 1)]
    lines.append('"Random"')
    return "\n".join(lines) + "\n"


def _outcome(text: str, group: bool, method: str):
    try:
        election = parse_blt(text, group=group)
    except BallotFormatError as exc:
        return ("format", exc.line_number, exc.message)
    seats = 1 if method == "irv" else None
    try:
        return count(election, method, seats, "seed").to_dict()
    except CountError as exc:
        return ("count", str(exc))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(blt_files())
# A ranking first met with weight zero: the counts meet it where its first vote is, which
# orders A's transfers (B before C).
@example('3 1\n0 1 3 0\n5 1 2 0\n5 1 3 0\n1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n')
def test_merging_identical_ballots_while_reading_changes_no_count_and_no_error(text):
    try:
        grouped = parse_blt(text, group=True)
    except BallotFormatError:
        pass
    else:  # one entry per distinct ranking: really merged
        assert len(grouped.ballots) == len({r for _, r in grouped.ballots})
    for method in ALL:
        assert _outcome(text, True, method) == _outcome(text, False, method), method


def test_merging_keeps_the_first_ballot_number_and_the_weights():
    text = '3 1\n1 1 2 0\n0 2=3 0\n2 1 2 0\n1 2=3 0\n# note\n1 3 0\n0\n"A"\n"B"\n"C"\n"T"\n'
    election = parse_blt(text, group=True)
    assert election.ballots == [(3, (("A",), ("B",))), (1, (("B", "C"),)), (1, (("C",),))]
    assert election.ballot_numbers == [1, 2, 5]
    with pytest.raises(CountError, match="ballot 2 ranks B, C equally"):
        count(election, "meek")
    with pytest.raises(CountError, match="ballot 2 ranks B, C equally"):
        count(parse_blt(text), "meek")
