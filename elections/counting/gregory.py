"""Gregory-method STV: WIGM (weighted inclusive Gregory) and Scottish STV (SSI 2007/42).

Both transfer a surplus by passing on every ballot the elected candidate holds (not only the
last parcel), each at a reduced transfer value; they differ in arithmetic and quota:

* Scottish STV: 5-decimal fixed point, values truncated; quota floor(votes/(seats+1)) + 1;
  elected when votes >= quota; elections are declared at the end of a stage.
* WIGM: 18+9 digit guarded fixed point (values closer than half a unit of the 18th decimal
  compare equal), quota votes/(seats+1), elected when votes > quota; this mirrors the
  reference program droop's ``wigm`` rule so its reports can be reproduced round by round.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import partial

from .common import NEVER, Deadline, GroupCap, display_number, fmt_fixed, mul_weight, prepare, residue_text
from .model import CountResult, Decision, Election, Round, Transfer
from .ties import TieBreaker


class _Piece:
    """Ballots with one ranking, at one transfer value (per unit of weight)."""

    __slots__ = ("mult", "pos", "ranking", "tv")

    def __init__(self, ranking: tuple[int, ...], pos: int, tv: int, mult: Fraction | int):
        self.ranking = ranking
        self.pos = pos
        self.tv = tv
        self.mult = mult


def count_gregory(
    election: Election,
    seats: int,
    variant: str,
    ties: TieBreaker,
    cap: GroupCap,
    withdrawn: set[str],
    deadline: Deadline = NEVER,
) -> CountResult:
    """Count with ``variant`` 'scottish' or 'wigm'."""
    scottish = variant == "scottish"
    digits = 5 if scottish else 27
    display = 5 if scottish else 18
    scale = 10**digits
    geps = 1 if scottish else 10**9 // 2  # tolerance of guarded comparisons

    def fmt(u: int) -> str:
        return fmt_fixed(u, digits, display)

    def show(u: int) -> str:  # for prose: no trailing zeros
        return display_number(fmt(u))

    def same(a: int, b: int) -> bool:
        return abs(a - b) < geps

    cands, groups, notes = prepare(election, withdrawn)
    n = len(cands)
    pieces: list[list[_Piece]] = [[] for _ in range(n)]
    votes = [0] * n
    total_units = 0
    truncated = False
    for ranking, w in groups.items():
        mult: Fraction | int = int(w) if w.denominator == 1 else w
        value = mul_weight(scale, mult)
        truncated |= not isinstance(mult, int) and value * w.denominator != scale * w.numerator
        total_units += value
        pieces[ranking[0]].append(_Piece(ranking, 0, scale, mult))
        votes[ranking[0]] += value
    if truncated:
        notes.append(f"Fractional ballot weights were truncated to {display} decimal places.")
    total = sum(groups.values(), Fraction(0))
    # Scottish: whole-vote Droop quota; WIGM: exact votes/(seats+1), elected when above it.
    quota = (int(total // (seats + 1)) + 1) * scale if scottish else total_units // (seats + 1)

    def has_quota(v: int) -> bool:
        return v >= quota if scottish else v - quota >= geps

    hopeful = set(range(n))
    elected: list[int] = []
    excluded: set[int] = set()
    pending: list[int] = []  # elected, surplus not yet transferred
    cap_pending: list[tuple[int, str]] = []  # reached quota but blocked by the group cap
    exhausted = 0
    rounds: list[Round] = []
    history: list[tuple[int, dict[str, int]]] = []
    result = CountResult(
        method="scottish" if scottish else "wigm",
        seats=seats,
        elected=[],
        candidates=cands,
        total=fmt(total_units),
        tie_order=ties.order,
    )

    def snapshot(
        number: int, action: str, explanation: str, transfers: list[Transfer] | None = None
    ) -> Round:
        vmap = {cands[i]: votes[i] for i in range(n)}
        shown = {c: fmt(v) for c, v in vmap.items()}
        r = Round(
            number=number,
            action=action,
            votes=shown,
            quota=fmt(quota),
            exhausted=fmt(exhausted),
            residue=residue_text(fmt(total_units), list(shown.values()), fmt(exhausted), display),
            transfers=transfers or [],
            explanation=explanation,
        )
        rounds.append(r)
        history.append((number, vmap))
        return r

    def electable() -> list[int]:
        names = [cands[e] for e in elected]
        return [h for h in hopeful if cap.blocked(cands[h], names) is None]

    def complete() -> bool:
        left = seats - len(elected)
        return left <= 0 or len(electable()) <= left

    def elect_step(rec: Round) -> None:
        """Declare everyone with a quota elected, highest first (the cap may refuse some)."""
        reached = [h for h in hopeful if has_quota(votes[h])]
        reached.sort(key=lambda h: (-votes[h], ties.rank[cands[h]]))
        for h in reached:
            if len(elected) >= seats:
                break
            why = cap.blocked(cands[h], [cands[e] for e in elected])
            hopeful.discard(h)
            if why:
                excluded.add(h)
                cap_pending.append((h, why))
                rec.excluded.append(Decision(cands[h], why))
                rec.explanation += f" {cands[h]} reached the quota but {why}."
                continue
            elected.append(h)
            pending.append(h)
            reason = f"reached the quota ({show(votes[h])} votes, quota {show(quota)})"
            rec.elected.append(Decision(cands[h], reason))
            rec.explanation += f" {cands[h]} is elected with {show(votes[h])} votes."

    def move(src: int, new_tv: Callable[[int], int]) -> dict[int | None, int]:
        """Pass every ballot held by ``src`` to its next continuing preference."""
        nonlocal exhausted
        moved: dict[int | None, int] = {}
        for p in pieces[src]:
            tv = new_tv(p.tv)
            pos = p.pos + 1
            while pos < len(p.ranking) and p.ranking[pos] not in hopeful:
                pos += 1
            value = mul_weight(tv, p.mult)
            if pos < len(p.ranking):
                dest = p.ranking[pos]
                pieces[dest].append(_Piece(p.ranking, pos, tv, p.mult))
                votes[dest] += value
                moved[dest] = moved.get(dest, 0) + value
            else:
                exhausted += value
                moved[None] = moved.get(None, 0) + value
        pieces[src] = []
        return moved

    def transfer_list(src: int, moved: dict[int | None, int]) -> list[Transfer]:
        out = [Transfer(cands[src], cands[d], fmt(v)) for d, v in moved.items() if d is not None]
        if None in moved:
            out.append(Transfer(cands[src], None, fmt(moved[None])))
        return out

    def moved_text(moved: dict[int | None, int]) -> str:
        parts = [f"{cands[d]} +{show(v)}" for d, v in moved.items() if d is not None and v]
        nt = moved.get(None, 0)
        text = "; ".join(parts) if parts else "no continuing candidate received votes"
        return text + (f"; non-transferable {show(nt)}" if nt else "")

    rec = snapshot(
        0,
        "first preferences",
        f"First preferences counted: {show(total_units)} valid votes for {seats} seat(s); "
        f"the quota is {show(quota)}"
        + (
            " (floor(votes / (seats + 1)) + 1)."
            if scottish
            else " (votes / (seats + 1); a candidate needs more than this)."
        ),
    )
    rno = 0
    while True:
        if scottish:
            elect_step(rounds[-1])
        if complete():
            break
        rno += 1
        deadline.check()
        rec = Round(rno, "", {})  # decisions collected here, figures filled in below
        if not scottish:
            elect_step(rec)
        if cap_pending:
            c, _why = cap_pending.pop(0)
            moved = move(c, lambda tv: tv)
            votes[c] = 0
            action = f"exclude {cands[c]} (group cap)"
            text = (
                f"Round {rno}: {cands[c]} reached the quota but is excluded under the "
                f"anti-capture rule; their ballots move on at their current values: "
                f"{moved_text(moved)}."
            )
        elif pending:
            top = max(votes[p] for p in pending)
            tied = [cands[p] for p in pending if same(votes[p], top)]
            c = cands.index(ties.choose(tied, "surplus", rno, history, lowest=False, same=same, fmt=show))
            pending.remove(c)
            surplus = votes[c] - quota
            vote_c = votes[c]
            if scottish:
                moved = move(c, partial(_scottish_value, surplus=surplus, votes=vote_c))
            else:
                moved = move(c, partial(_wigm_value, surplus=surplus, votes=vote_c, scale=scale))
            votes[c] = quota
            action = f"transfer surplus of {cands[c]}"
            text = (
                f"Round {rno}: {cands[c]}'s surplus of {show(surplus)} is transferred: every "
                f"ballot they hold moves to its next continuing preference at its value times "
                f"{show(surplus)}/{show(vote_c)}"
                + (", truncated to 5 decimals" if scottish else "")
                + f": {moved_text(moved)}."
            )
        else:
            low = min(votes[h] for h in hopeful)
            tied = [cands[h] for h in hopeful if same(votes[h], low)]
            c = cands.index(ties.choose(tied, "exclude", rno, history, same=same, fmt=show))
            hopeful.discard(c)
            excluded.add(c)
            low_votes = votes[c]
            rec.excluded.append(Decision(cands[c], f"fewest votes ({show(low_votes)})"))
            moved = move(c, lambda tv: tv)
            votes[c] = 0
            action = f"exclude {cands[c]}"
            tie_note = " (after a tie, see ties)" if len(tied) > 1 else ""
            text = (
                f"Round {rno}: no surplus is waiting, so {cands[c]}, with the fewest votes "
                f"({show(low_votes)}){tie_note}, is excluded; their ballots move on at their "
                f"current values: {moved_text(moved)}."
            )
        done = snapshot(rno, action, text + rec.explanation, transfer_list(c, moved))
        done.elected, done.excluded = rec.elected, rec.excluded
        if scottish and complete():
            break

    # Fill the last seats (rule 52) or close the count.
    last = rounds[-1]
    for h in sorted(hopeful, key=lambda h: (-votes[h], ties.rank[cands[h]])):
        blocked = cap.blocked(cands[h], [cands[e] for e in elected])
        if len(elected) < seats and blocked is None:
            elected.append(h)
            last.elected.append(
                Decision(cands[h], "elected without a quota: continuing candidates = seats left")
            )
            last.explanation += f" {cands[h]} is elected to fill a remaining seat."
        else:
            reason = blocked or "not elected: all seats are filled"
            last.excluded.append(Decision(cands[h], reason))
    if len(elected) < seats:
        notes.append(f"Only {len(elected)} of {seats} seats could be filled.")
    result.elected = [cands[e] for e in elected]
    result.rounds = rounds
    result.ties = ties.ties
    result.notes = notes
    return result


def _scottish_value(tv: int, *, surplus: int, votes: int) -> int:
    """A transferred ballot's new value (Scottish STV): its value times surplus / votes, truncated."""
    return tv * surplus // votes


def _wigm_value(tv: int, *, surplus: int, votes: int, scale: int) -> int:
    """A transferred ballot's new value (WIGM): truncated to the grid before dividing by the votes."""
    return (tv * surplus // scale) * scale // votes
