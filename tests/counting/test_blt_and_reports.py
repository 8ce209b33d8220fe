"""BLT round trips and other counters' files; Meek's slow rounds; honest tie reports.

Neither ``pref_voting`` nor ``votekit`` reads BLT (pref_voting reads abif, PrefLib, CSV and
JSON; votekit's nearest loader reads the Scottish CSV variant, and it pins numba, pandas and
scikit-learn), so the independent reader below is written from the published format
description (Hill, Wichmann & Woodall, Algorithm 123, 1987, as restated by OpenSTV/OpaVote
and OpenTally): whitespace-separated tokens, newlines insignificant, ``-n`` withdrawn
candidates, ``=`` for equal rankings, names and title in double quotes.
"""

from __future__ import annotations

import random
import re
from fractions import Fraction

import pytest

import elections.counting.meek as meek
from elections.counting import Election, count, format_text, parse_blt
from elections.counting.package import write_blt


def independent_blt_reader(text: str) -> dict:
    """A minimal BLT reader from the published description (not Charter's parser)."""
    tokens = text.split()
    pos = 0

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    n_cand, seats = int(take()), int(take())
    withdrawn = []
    tok = take()
    while tok.startswith("-"):
        withdrawn.append(int(tok[1:]))
        tok = take()
    ballots = []
    while tok != "0":
        weight = Fraction(tok)
        ranking = []
        tok = take()
        while tok != "0":
            ranking.append(tuple(int(x) for x in tok.split("=")))
            tok = take()
        ballots.append((weight, tuple(ranking)))
        tok = take()
    strings = []
    while pos < len(tokens):
        tok = take()
        assert tok.startswith('"'), tok
        words = [tok]
        while not (words[-1].endswith('"') and (len(words) > 1 or len(words[0]) > 1)):
            words.append(take())
        strings.append(" ".join(words)[1:-1])
    assert len(strings) == n_cand + 1
    return {
        "seats": seats,
        "names": strings[:n_cand],
        "title": strings[n_cand],
        "withdrawn": withdrawn,
        "ballots": ballots,
    }


NAMES = ["Bo \\ Back", "Zoë Ünal", "李小龙", "O'Brien", "Ana Q. Smith"]


def _election(seed: int, equal: bool = False) -> Election:
    rng = random.Random(seed)
    ballots = []
    for _ in range(30):
        picked = rng.sample(NAMES, rng.randint(1, len(NAMES)))
        ranking = (tuple(picked),) if equal else tuple((c,) for c in picked)
        ballots.append((rng.randint(1, 50), ranking))
    return Election(NAMES, 2, ballots, withdrawn={"O'Brien"}, title='Board "2026" election')


@pytest.mark.parametrize("equal", [False, True])
def test_the_blt_export_parses_back_to_the_same_election(equal):
    election = _election(1, equal)
    parsed = parse_blt(write_blt(election, equal=equal))
    assert parsed.candidates == election.candidates and parsed.seats == 2
    assert parsed.withdrawn == {"O'Brien"}
    assert parsed.ballots == election.ballots
    assert parsed.title == "Board '2026' election"


def test_the_blt_export_is_read_alike_by_an_independent_reader():
    election = _election(2)
    read = independent_blt_reader(write_blt(election))
    assert read["names"] == NAMES and read["seats"] == 2 and read["withdrawn"] == [4]
    number = {c: i for i, c in enumerate(NAMES, 1)}
    assert read["ballots"] == [(Fraction(w), tuple((number[c[0]],) for c in r)) for w, r in election.ballots]


def test_backslashes_are_literal_and_double_quotes_cannot_be_written():
    text = write_blt(Election(["Bo \\ Back", "Cy"], 1, [(1, (("Bo \\ Back",),))]))
    assert '"Bo \\ Back"' in text and "\\\\" not in text
    with pytest.raises(ValueError, match="double quote"):
        write_blt(Election(['Ana "Q" Smith', "Cy"], 1, [(1, (("Cy",),))]))


def test_a_byte_order_mark_and_other_counters_option_lines_are_read():
    text = '\ufeff3 2\n[tie 3 2 1 ]\n[droop rule=meek]\n4 1 2 0\n2 3 0\n0\n"Castor"\n"Pollux"\n"Helen"\n"Pollux and Helen should tie"\n'
    election = parse_blt(text)
    assert election.candidates == ["Castor", "Pollux", "Helen"]
    assert election.tie_order == ["Helen", "Pollux", "Castor"]
    result = count(election, "meek")
    assert result.tie_source == "file" and result.tie_order == ["Helen", "Pollux", "Castor"]
    assert "[tie] line" in format_text(result)


def test_withdrawn_and_nickname_option_lines_are_read():
    text = '3 1\n[nick a b c]\n[withdrawn b]\n2 a c 0\n1 c=b 0\n0\n"Ann" "Bob" "Cy" "T"\n'
    election = parse_blt(text)
    assert election.withdrawn == {"Bob"}
    assert election.ballots == [(2, (("Ann",), ("Cy",))), (1, (("Cy", "Bob"),))]


def _crawler(spread: int = 0) -> Election:
    """The issue's profile: 1,000,001 / 1,000,001 / 1,000,000 / 1,000,000 for 3 seats, the two
    leaders ranking each other next; ``spread`` extra zero-vote candidates split the same
    ballots over many distinct lines."""
    extra = [f"X{i}" for i in range(spread)]
    base = [("A", "B", "D", "C"), ("B", "A", "C", "D"), ("C", "D", "A", "B"), ("D", "C", "A", "B")]
    weights = [1_000_001, 1_000_001, 1_000_000, 1_000_000]
    ballots = []
    for order, weight in zip(base, weights, strict=True):
        parts = max(1, min(spread, 20))
        for i in range(parts):
            tail = tuple((x,) for x in extra[i : i + 3])
            share = weight // parts + (1 if i < weight % parts else 0)
            ballots.append((share, tuple((c,) for c in order) + tail))
    return Election(["A", "B", "C", "D", *extra], 3, ballots)


def _iterations(result) -> list[int]:
    return [
        int(r.explanation.split("after ")[1].split(" ")[0])
        for r in result.rounds[1:]
        if "after " in r.explanation
    ]


def test_meek_settles_the_mutual_transfer_profile_in_tens_of_iterations_with_the_same_result(monkeypatch):
    fast = count(_crawler(), "meek", tie_seed="s")
    assert max(_iterations(fast)) < 100
    monkeypatch.setattr(meek, "ACCELERATE_AFTER", 10**9)
    monkeypatch.setattr(meek, "MAX_ITERATIONS", 10**6)
    plain = count(_crawler(), "meek", tie_seed="s")
    assert max(_iterations(plain)) > 10_000  # the plain iteration crawls (15,635 here)
    assert fast.elected == plain.elected
    for mine, theirs in zip(fast.rounds, plain.rounds, strict=True):
        assert mine.votes.keys() == theirs.votes.keys()
        for c in mine.votes:
            assert abs(Fraction(mine.votes[c]) - Fraction(theirs.votes[c])) < Fraction(1, 10**6)


def test_meek_prunes_excluded_candidates_and_keeps_the_same_result():
    result = count(_crawler(spread=30), "meek", tie_seed="s")
    assert sorted(result.elected) == sorted(count(_crawler(), "meek", tie_seed="s").elected)
    assert max(_iterations(result)) < 100


def test_a_round_never_runs_past_the_iteration_bound(monkeypatch):
    monkeypatch.setattr(meek, "ACCELERATE_AFTER", 10**9)
    monkeypatch.setattr(meek, "MAX_ITERATIONS", 200)
    result = count(_crawler(), "meek", tie_seed="s")
    assert max(_iterations(result)) == 200
    assert any("iteration bound" in d.reason for r in result.rounds for d in r.excluded)


def test_a_count_past_its_deadline_stops():
    from elections.counting import CountTimeout

    with pytest.raises(CountTimeout):
        count(_crawler(), "meek", deadline=0)


def test_only_ties_that_change_who_is_elected_are_reported():
    # Schulze: A beats everyone; B, C, D tie for second place, which decides no seat.
    ballots = [(3, (("A",),)), (1, (("B",),)), (1, (("C",),)), (1, (("D",),))]
    result = count(Election(["A", "B", "C", "D"], 1, ballots), "schulze", tie_seed="x")
    assert result.elected == ["A"] and result.ties and not any(t.decisive for t in result.ties)
    text = format_text(result)
    assert "No tie decided who is elected." in text and "decisive: false" in text
    # Plurality, one seat, three equal: the tie decides the seat.
    tied = count(
        Election(["A", "B", "C"], 1, [(1, (("A",),)), (1, (("B",),)), (1, (("C",),))]),
        "plurality",
        tie_seed="x",
    )
    assert [t.decisive for t in tied.ties] == [True]
    assert 'The tie order (SHA-256 of seed "x") decided 1 tie(s)' in format_text(tied)


def test_an_irv_exclusion_tie_that_does_not_change_the_winner_is_not_reported():
    # C and D tie for exclusion; whichever goes first, the other follows and A wins.
    e = Election(["A", "B", "C", "D"], 1, [(3, (("A",),)), (2, (("B",),)), (1, (("C",),)), (1, (("D",),))])
    result = count(e, "irv", tie_seed="x")
    assert result.elected == ["A"]
    assert [t.decisive for t in result.ties] == [False]
    # Ann, Bob, Cy one vote each: who goes first decides who wins, so the first tie counts.
    e = Election(["Ann", "Bob", "Cy"], 1, [(1, (("Ann",),)), (1, (("Bob",),)), (1, (("Cy",),))])
    assert [t.decisive for t in count(e, "irv", tie_order=["Cy", "Bob", "Ann"]).ties] == [True, True]


def test_the_text_report_states_the_seed_the_order_and_the_tie_rule_and_prints_plain_figures():
    ballots = [(87, (("A",), ("B",))), (12, (("B",),)), (5, (("C",), ("B",)))]
    for method in ("meek", "wigm", "scottish"):
        text = format_text(count(Election(["A", "B", "C"], 2, ballots), method, tie_seed="agm-2026"))
        assert 'Tie seed: "agm-2026"' in text and "Tie order (SHA-256" in text
        assert "Rule:" in text
        assert not re.search(r"\d\.\d*0\b", text), method  # no trailing zeros in figures
    meek_text = format_text(count(Election(["A", "B", "C"], 2, ballots), "meek"))
    assert "droop" in meek_text and "Tie seed: none" in meek_text
