"""Parsers for the ballot formats we accept: BLT and Debian (devotee) tally sheets.

Malformed input raises BallotFormatError naming the 1-based line and the problem, so an
election officer can fix the file rather than guess.

BLT (Hill, Wichmann & Woodall 1987, with the OpenSTV and droop extensions): a header
``candidates seats``; optional withdrawn candidates (``-2 -5``); optional bracketed option
lines as droop writes them (``[tie 3 1 2]`` a tie order, ``[withdrawn 2 5]``, ``[nick a b c]``
short names usable instead of numbers; other options such as ``[droop rule=meek]`` are noted
and ignored); ballot lines ``weight c1 c2=c3 ... 0``; a lone ``0``; the quoted names; the
quoted title. The format has no escape syntax: a name runs from one double quote to the
next, so names cannot contain ``"`` (Charter refuses such names at nomination), and a
backslash is an ordinary character. A UTF-8 byte-order mark at the start is skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from .model import BallotFormatError, Election, Ranking, Weight

_QUOTED = re.compile(r'"([^"]*)"')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def blt_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be written in a BLT file (or None): BLT has no escapes."""
    if '"' in name:
        return "contains a double quote"
    if _CONTROL.search(name):
        return "contains a control character or line break"
    if not name.strip():
        return "is empty"
    return None


#: A ballot line in its simplest form: whole weight, candidate numbers, the closing 0.
_PLAIN_BALLOT = re.compile(r"[0-9]+(?: [1-9][0-9]*)* 0")
_OPTION = re.compile(r"Option\s+(\d+)-*>:\s*(.*?)\s*$")
_VOTE = re.compile(r"^\s*V:\s*(\S+)")


def _parse_weight(token: str, line_no: int) -> Weight:
    try:
        w = Fraction(token)
    except (ValueError, ZeroDivisionError):
        raise BallotFormatError(line_no, f"ballot weight {token!r} is not a number") from None
    if w < 0:
        raise BallotFormatError(line_no, f"ballot weight {token} is negative")
    return int(w) if w.denominator == 1 else w


def parse_blt(text: str, *, group: bool = False) -> Election:
    """Parse a BLT file: header, optional withdrawn line, ballots, ``0``, names, title.

    A ranking token may hold equal preferences joined by ``=`` (``2=3``); such ballots give
    a preference level with several candidates.

    ``group``: identical ballots are merged while reading (see ``group_ballots``), which is
    what every counting method does first anyway: the counts are the same, and a large file
    is read many times faster (each distinct ballot line is parsed once). Any problem found
    on that fast path is re-read line by line, so the error names the same line either way.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    idx = 0

    def next_content() -> tuple[int, str] | None:
        nonlocal idx
        while idx < len(lines):
            raw = _content(lines[idx])
            idx += 1
            if raw:
                return idx, raw
        return None

    first = next_content()
    if first is None:
        raise BallotFormatError(0, "empty BLT file")
    line_no, header = first
    parts = header.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise BallotFormatError(
            line_no, f"header must be 'candidates seats' (two whole numbers), got {header!r}"
        )
    n_cand, seats = int(parts[0]), int(parts[1])
    if n_cand < 1:
        raise BallotFormatError(line_no, "number of candidates must be at least 1")
    if seats < 1:
        raise BallotFormatError(line_no, "number of seats must be at least 1")

    withdrawn_ids: set[int] = set()
    tie_ids: list[int] | None = None
    nicks: dict[str, int] = {}
    ballots: list[tuple[Weight, tuple[tuple[int, ...], ...]]] = []
    fast: _Grouped | None = None
    ended = False

    def candidate_id(tok: str, line_no: int, what: str) -> int:
        cid = int(tok) if tok.isdigit() else nicks.get(tok)
        if cid is None:
            raise BallotFormatError(line_no, f"bad candidate {tok!r} in {what}")
        if not 1 <= cid <= n_cand:
            raise BallotFormatError(line_no, f"candidate number {cid} is not between 1 and {n_cand}")
        return cid

    while True:
        item = next_content()
        if item is None:
            break
        line_no, raw = item
        if raw.startswith("["):
            # droop's option lines: [tie ...], [withdrawn ...], [nick ...], others ignored.
            if ballots:
                raise BallotFormatError(line_no, "option lines in [brackets] must precede the ballots")
            if not raw.endswith("]"):
                raise BallotFormatError(line_no, f"option line without its closing bracket: {raw!r}")
            words = raw[1:-1].split()
            if not words:
                raise BallotFormatError(line_no, "empty option line []")
            name, args = words[0].lower(), words[1:]
            if name == "nick":
                if len(args) != n_cand or len(set(args)) != n_cand or any(a.isdigit() for a in args):
                    raise BallotFormatError(line_no, f"[nick] needs {n_cand} distinct non-numeric names")
                nicks = {a: i for i, a in enumerate(args, 1)}
            elif name == "tie":
                tie_ids = [candidate_id(a, line_no, "[tie]") for a in args]
                if sorted(tie_ids) != list(range(1, n_cand + 1)):
                    raise BallotFormatError(line_no, "[tie] must list every candidate exactly once")
            elif name == "withdrawn":
                withdrawn_ids |= {candidate_id(a, line_no, "[withdrawn]") for a in args}
            continue
        tokens = raw.split()
        if tokens[0].startswith("-"):
            # Withdrawn candidates: "-2 -5" (must precede the ballots).
            if ballots:
                raise BallotFormatError(line_no, "withdrawn-candidate line must precede ballots")
            for tok in tokens:
                if not re.fullmatch(r"-\d+", tok):
                    raise BallotFormatError(line_no, f"bad withdrawn candidate {tok!r}")
                cid = -int(tok)
                if not 1 <= cid <= n_cand:
                    raise BallotFormatError(
                        line_no, f"withdrawn candidate {cid} is not between 1 and {n_cand}"
                    )
                withdrawn_ids.add(cid)
            continue
        if tokens == ["0"]:
            ended = True
            break
        if group and not ballots:
            # The first ballot line: try to read the whole ballot section grouped.
            fast = _ballots_grouped(lines, line_no - 1, n_cand, nicks, candidate_id)
            if fast is not None:
                idx = fast.end + 1
                ended = True
                break
        ballots.append(_ballot_line(tokens, line_no, nicks, candidate_id))
    if not ended:
        raise BallotFormatError(len(lines), "missing the lone 0 that ends the ballots")

    # Names: one quoted string per candidate, then the quoted title (several may share a
    # line). Anything after the title is free text (some published files carry notes there).
    names: list[tuple[int, str]] = []
    for i in range(idx, len(lines)):
        if len(names) > n_cand:
            break
        line = lines[i].strip()
        if not line:
            continue
        found = _QUOTED.findall(line)
        if not found:
            raise BallotFormatError(i + 1, f"expected a quoted name, got {line!r}")
        names.extend((i + 1, s) for s in found)
    if len(names) < n_cand:
        raise BallotFormatError(len(lines), f"expected {n_cand} candidate names, found {len(names)}")
    cand_names = [n for _, n in names[:n_cand]]
    for pos, (ln, name) in enumerate(names[:n_cand]):
        if not name.strip():
            raise BallotFormatError(ln, "empty candidate name")
        if name in cand_names[:pos]:
            raise BallotFormatError(ln, f"duplicate candidate name {name!r}")
    title = names[n_cand][1] if len(names) > n_cand else ""

    numbers: list[int] | None = None
    if fast is not None:
        ballots, numbers = fast.ballots, fast.numbers
    elif group:
        ballots, numbers = group_ballots(ballots)
    level_names: dict[tuple[int, ...], tuple[str, ...]] = {
        (c,): (name,) for c, name in enumerate(cand_names, 1)
    }

    def level_name(level: tuple[int, ...]) -> tuple[str, ...]:
        name = level_names.get(level)
        if name is None:
            name = level_names[level] = tuple(cand_names[c - 1] for c in level)
        return name

    def ranking_names(levels: tuple[tuple[int, ...], ...]) -> Ranking:
        try:
            return tuple(map(level_names.__getitem__, levels))  # in C: the common case
        except KeyError:  # a level of equal preferences
            return tuple(map(level_name, levels))

    named: list[tuple[Weight, Ranking]] = [(w, ranking_names(lv)) for w, lv in ballots]
    return Election(
        candidates=cand_names,
        seats=seats,
        ballots=named,
        withdrawn={cand_names[c - 1] for c in withdrawn_ids},
        title=title,
        tie_order=None if tie_ids is None else [cand_names[c - 1] for c in tie_ids],
        ballot_numbers=numbers,
    )


def _content(line: str) -> str:
    """A line without its comment (``#`` to the end, except on a quoted-name line), stripped."""
    if line.lstrip().startswith('"'):
        return line.strip()
    return line.split("#", 1)[0].strip()


def _ballot_line(
    tokens: list[str], line_no: int, nicks: dict[str, int], candidate_id: Callable[[str, int, str], int]
) -> tuple[Weight, tuple[tuple[int, ...], ...]]:
    """One ballot line's weight and ranking (candidate numbers), or BallotFormatError."""
    if tokens[0].startswith("("):  # optional ballot id, e.g. "(a17) 1 2 3 0"
        tokens = tokens[1:]
        if not tokens:
            raise BallotFormatError(line_no, "ballot id without a ballot")
    tok = tokens[0]
    weight = int(tok) if tok.isascii() and tok.isdigit() else _parse_weight(tok, line_no)
    if tokens[-1] != "0":
        raise BallotFormatError(line_no, "ballot line must end with 0")
    seen: set[int] = set()
    levels: list[tuple[int, ...]] = []
    for tok in tokens[1:-1]:
        level = []
        for part in tok.split("="):
            if not part.isdigit() and part not in nicks:
                raise BallotFormatError(line_no, f"bad candidate number {part!r} in {tok!r}")
            cid = candidate_id(part, line_no, repr(tok))
            if cid in seen:
                raise BallotFormatError(line_no, f"candidate {cid} is ranked twice")
            seen.add(cid)
            level.append(cid)
        levels.append(tuple(level))
    return weight, tuple(levels)


class _Grouped:
    """The ballot section read grouped: merged ballots, their first numbers, the ``0`` line."""

    def __init__(self, ballots: list[tuple[Weight, Any]], numbers: list[int] | None, end: int):
        self.ballots = ballots
        self.numbers = numbers
        self.end = end


def _ballots_grouped(
    lines: list[str],
    start: int,
    n_cand: int,
    nicks: dict[str, int],
    candidate_id: Callable[[str, int, str], int],
) -> _Grouped | None:
    """Read the ballot lines from ``lines[start]`` to the lone ``0`` grouped, or None when the
    section is anything but ballot lines without errors (the caller then reads it line by
    line, which finds the same ballots or names the first faulty line).

    Identical lines are counted first (``Counter``, in C), so each distinct line is parsed
    once and its weight multiplied by how often it occurs. A plain line (whole weight, one
    candidate number per preference, no comment) is checked as a whole: numbers in range and
    none twice; any other line goes through the line-by-line parser's own checks.
    """
    try:
        end = lines.index("0", start)
    except ValueError:
        return None
    section = Counter(lines[start:end])
    merged: dict[Any, Weight] = {}
    zero: dict[Any, Weight] = {}
    key_of: dict[str, Any] = {}
    single = [(c,) for c in range(n_cand + 1)]
    plain = _PLAIN_BALLOT.fullmatch
    equal = False
    by_rest: dict[str, tuple[tuple[int, ...], ...]] = {}  # plain lines: ranking by its text
    for line, times in section.items():
        levels: tuple[tuple[int, ...], ...]
        head, _, rest = line.partition(" ")
        known = by_rest.get(rest)
        if known is not None and head.isascii() and head.isdigit():
            weight: Weight = int(head)
            levels = known
        elif plain(line):
            tokens = line.split()
            ids = list(map(int, tokens[1:-1]))
            if ids and (min(ids) < 1 or max(ids) > n_cand or len(set(ids)) != len(ids)):
                return None
            weight = int(tokens[0])
            levels = by_rest[rest] = tuple(map(single.__getitem__, ids))
        else:
            raw = _content(line)
            if not raw:
                continue  # blank or comment line
            if raw[0] in '[-"' or raw.split() == ["0"]:
                return None  # a misplaced option line, or the section ends earlier
            try:
                weight, levels = _ballot_line(raw.split(), 0, nicks, candidate_id)
            except BallotFormatError:
                return None
            equal = equal or any(len(level) > 1 for level in levels)
        key_of[line] = levels
        if weight:
            merged[levels] = merged.get(levels, 0) + weight * times
        else:
            zero[levels] = 0
    for levels in zero:
        merged.setdefault(levels, 0)
    ballots = [(_tidy(w), levels) for levels, w in merged.items()]
    numbers = None
    if equal:  # only then can a count name a ballot (equal preferences refused by STV)
        first: dict[Any, int] = {}
        number = 0
        for line in lines[start:end]:
            found = key_of.get(line)
            if found is not None:
                number += 1
                first.setdefault(found, number)
        numbers = [first[levels] for _, levels in ballots]
    return _Grouped(ballots, numbers, end)


def _tidy(w: Weight) -> Weight:
    return int(w) if isinstance(w, Fraction) and w.denominator == 1 else w


def group_ballots(ballots: Sequence[tuple[Weight, Any]]) -> tuple[list[tuple[Weight, Any]], list[int]]:
    """Ballots with identical rankings merged (weights added), and for each merged ballot the
    1-based number of the first ballot it stands for (so messages can name that ballot).

    Merged ballots come in the order of each ranking's first ballot of non-zero weight (the
    order in which the counting methods meet them; rankings of weight zero come last), so a
    grouped election counts exactly as the ungrouped one, transfers listed in the same order.
    """
    merged: dict[Any, Weight] = {}
    zero: dict[Any, Weight] = {}
    first: dict[Any, int] = {}
    for number, (weight, ranking) in enumerate(ballots, 1):
        first.setdefault(ranking, number)
        if weight:
            merged[ranking] = merged.get(ranking, 0) + weight
        else:
            zero[ranking] = 0
    for ranking in zero:
        merged.setdefault(ranking, 0)
    return [(_tidy(w), r) for r, w in merged.items()], [first[r] for r in merged]


def _rank_value(ch: str) -> int | None:
    """Debian rank character: '-' unranked, digits then letters rank progressively lower."""
    if ch == "-":
        return None
    if ch.isdigit() or ("a" <= ch.lower() <= "z"):
        return int(ch, 36)
    raise ValueError(ch)


def parse_debian_tally(text: str, seats: int = 1) -> Election:
    """Parse a Debian devotee tally sheet (``V: 3-311-56  <hash>`` lines, options in header)."""
    options: dict[int, str] = {}
    ballots: list[tuple[Weight, Ranking]] = []
    for line_no, line in enumerate(text.splitlines(), 1):
        m = _OPTION.search(line)
        if m and not line.lstrip().startswith("V:"):
            num = int(m.group(1))
            if num in options:
                raise BallotFormatError(line_no, f"option {num} is declared twice")
            options[num] = m.group(2)
            continue
        v = _VOTE.match(line)
        if not v:
            continue
        if not options:
            raise BallotFormatError(line_no, "vote line before the option list")
        n = len(options)
        if sorted(options) != list(range(1, n + 1)):
            raise BallotFormatError(line_no, "options must be numbered 1..N without gaps")
        vote = v.group(1)
        if len(vote) != n:
            raise BallotFormatError(
                line_no, f"vote {vote!r} has {len(vote)} characters but there are {n} options"
            )
        ranks: dict[int, list[str]] = {}
        for i, ch in enumerate(vote):
            try:
                r = _rank_value(ch)
            except ValueError:
                raise BallotFormatError(
                    line_no, f"invalid rank character {ch!r} for option {i + 1}"
                ) from None
            if r is not None:
                ranks.setdefault(r, []).append(options[i + 1])
        ranking = tuple(tuple(ranks[r]) for r in sorted(ranks))
        ballots.append((1, ranking))
    if not options:
        raise BallotFormatError(0, "no 'Option N--->: name' lines found")
    if not ballots:
        raise BallotFormatError(0, "no 'V:' vote lines found")
    title = ""
    for line in text.splitlines():
        if line.strip():
            title = line.strip()
            break
    return Election(
        candidates=[options[i] for i in sorted(options)],
        seats=seats,
        ballots=ballots,
        withdrawn=set(),
        title=title,
    )


def detect_and_parse(text: str, *, group: bool = False) -> Election:
    """Pick the parser from the content: a Debian sheet has 'Option N-->:' and 'V:' lines.

    ``group``: identical ballots merged (see ``parse_blt``)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    if any(_VOTE.match(line) for line in lines) and any(_OPTION.search(line) for line in lines):
        election = parse_debian_tally(text)
        if group:
            election.ballots, election.ballot_numbers = group_ballots(election.ballots)
        return election
    return parse_blt(text, group=group)
