"""Meek STV (reference rule as in the "droop" program, rule ``meek``, omega 1e-9).

Arithmetic: fixed point with 18 + 9 guard decimal digits; values closer than half a unit in
the 18th place compare equal ("guarded" arithmetic). Each iteration:

1. every ballot is passed down its ranking: each elected candidate keeps weight * keep factor
   (truncated) and passes on weight * (1 - keep factor); a hopeful candidate keeps the rest;
   excluded candidates are skipped;
2. quota = (votes held by candidates) / (seats + 1), recomputed every iteration, so votes
   that become non-transferable lower the quota; elected when votes > quota;
3. surplus = total of elected candidates' votes above the quota; stop iterating when a
   candidate is elected, surplus <= omega, the surplus stops falling, or a batch of certain
   losers can be excluded; else keep factor := keep factor * quota / votes (each step
   truncated) and repeat.

The loop always terminates: it ends when the surplus stops decreasing, and a round always
elects or excludes someone, so no iteration cap is needed.
Ballots are held in a prefix tree of rankings: ballots sharing a ranking prefix are
distributed together, which gives exactly the per-ballot result but far faster.
"""

from __future__ import annotations

from fractions import Fraction

from .common import GroupCap, Grouped, fmt_fixed, mul_weight, prepare, residue_text
from .model import CountResult, Decision, Election, Round
from .ties import TieBreaker

DIGITS = 27  # 18 significant decimals + 9 guard digits
SCALE = 10**DIGITS
GEPS = 10**9 // 2  # values nearer than this (in units of 1e-27) are equal
OMEGA = SCALE // 10**9


def _fmt(u: int) -> str:
    return fmt_fixed(u, DIGITS, 18)


class _Node:
    __slots__ = ("cand", "children", "end", "through")

    def __init__(self, cand: int) -> None:
        self.cand = cand
        self.through: Fraction | int = 0  # weight of ballots passing through this node
        self.end: Fraction | int = 0  # weight of ballots whose ranking ends here
        self.children: dict[int, _Node] = {}


def _build_tree(groups: Grouped) -> list[_Node]:
    root = _Node(-1)
    for ranking, w in groups.items():
        mult: Fraction | int = int(w) if w.denominator == 1 else w
        node = root
        for c in ranking:
            nxt = node.children.get(c)
            if nxt is None:
                nxt = node.children[c] = _Node(c)
            nxt.through += mult
            node = nxt
        node.end += mult
    return list(root.children.values())


def count_meek(
    election: Election,
    seats: int,
    ties: TieBreaker,
    cap: GroupCap,
    withdrawn: set[str],
) -> CountResult:
    cands, groups, notes = prepare(election, withdrawn)
    n = len(cands)
    top = _build_tree(groups)
    total_units = sum(mul_weight(SCALE, node.through) for node in top)
    kf = [SCALE] * n
    hopeful = set(range(n))
    elected: list[int] = []
    excluded: set[int] = set()
    rounds: list[Round] = []
    history: list[tuple[int, dict[str, int]]] = []
    result = CountResult(
        method="meek",
        seats=seats,
        elected=[],
        candidates=cands,
        total=_fmt(total_units),
        tie_order=ties.order,
    )

    def same(a: int, b: int) -> bool:
        return abs(a - b) < GEPS

    def distribute() -> tuple[list[int], int]:
        """One Meek pass over all ballots: (votes per candidate, exhausted value)."""
        votes = [0] * n
        exhausted = 0
        stack = [(node, SCALE) for node in top]
        while stack:
            node, w = stack.pop()
            k = kf[node.cand]
            if k:
                keep = w * k // SCALE
                votes[node.cand] += mul_weight(keep, node.through)
                w = w * (SCALE - k) // SCALE
                if w < GEPS:  # nothing meaningful left to pass on (droop: weight <= 0)
                    exhausted += mul_weight(w, node.through)
                    continue
            if node.end:
                exhausted += mul_weight(w, node.end)
            stack.extend((child, w) for child in node.children.values())
        return votes, exhausted

    def record(number: int, action: str, votes: list[int], exh: int, quota: int) -> Round:
        shown = {cands[i]: _fmt(votes[i]) for i in range(n)}
        r = Round(
            number=number,
            action=action,
            votes=shown,
            quota=_fmt(quota),
            exhausted=_fmt(exh),
            residue=residue_text(_fmt(total_units), list(shown.values()), _fmt(exh), 18),
            keep_factors={cands[i]: _fmt(kf[i]) for i in range(n)},
        )
        rounds.append(r)
        history.append((number, {cands[i]: votes[i] for i in range(n)}))
        return r

    def electable() -> list[int]:
        names = [cands[e] for e in elected]
        return [h for h in hopeful if cap.blocked(cands[h], names) is None]

    def complete() -> bool:
        left = seats - len(elected)
        return left <= 0 or len(electable()) <= left

    def batch_defeat(votes: list[int], surplus: int) -> list[int]:
        """Largest set of lowest candidates who cannot catch up even with all the surplus."""
        ordered = sorted(hopeful, key=lambda c: (votes[c], c))
        groups_: list[list[int]] = []
        group: list[int] = []
        base = 0
        for c in ordered:
            if base + surplus - votes[c] > -GEPS:  # within surplus of the group: tied
                group.append(c)
            else:
                if group:
                    groups_.append(group)
                group = [c]
                base = votes[c]
        if group:
            groups_.append(group)
        max_defeat = len(hopeful) - (seats - len(elected))
        best = None
        total = 0
        count_ = 0
        for g in range(len(groups_) - 1):
            count_ += len(groups_[g])
            if count_ > max_defeat:
                break
            total += sum(votes[c] for c in groups_[g])
            if votes[groups_[g + 1][0]] - (total + surplus) >= GEPS:
                best = g
        if best is None:
            return []
        return sorted(c for g in groups_[: best + 1] for c in g)

    votes0 = [0] * n
    for node in top:
        votes0[node.cand] += mul_weight(SCALE, node.through)
    quota = total_units // (seats + 1)
    r0 = record(0, "first preferences", votes0, 0, quota)
    r0.explanation = (
        f"First preferences counted: {_fmt(total_units)} valid votes for {seats} seat(s). "
        f"The starting quota is {_fmt(quota)} (votes / (seats + 1)); in Meek STV it is "
        "recomputed at every iteration from the votes still held by candidates."
    )

    rno = 0
    while not complete():
        rno += 1
        last_surplus = total_units
        iterations = 0
        while True:
            iterations += 1
            votes, exh = distribute()
            held = sum(votes[c] for c in range(n) if c in hopeful or c in elected)
            quota = held // (seats + 1)
            newly: list[tuple[int, str]] = []
            blocked: list[tuple[int, str]] = []
            reached = [h for h in hopeful if votes[h] - quota >= GEPS]
            for h in sorted(reached, key=lambda h: (-votes[h], ties.rank[cands[h]])):
                why = cap.blocked(cands[h], [cands[e] for e in elected])
                hopeful.discard(h)
                if why:
                    excluded.add(h)
                    kf[h] = 0
                    blocked.append((h, why))
                else:
                    elected.append(h)
                    newly.append((h, f"votes {_fmt(votes[h])} exceed the quota {_fmt(quota)}"))
            surplus = sum(votes[e] - quota for e in elected)
            if newly or blocked:
                status = "elected" if newly else "capped"
                break
            if surplus - OMEGA < GEPS:
                status = "omega"
                break
            if last_surplus - surplus < GEPS:
                status = "stable"
                break
            batch = batch_defeat(votes, surplus)
            if batch:
                status = "batch"
                break
            last_surplus = surplus
            for e in elected:
                kf[e] = (kf[e] * quota // SCALE) * SCALE // votes[e]
        rec = record(rno, "", votes, exh, quota)
        rec.keep_factors = {cands[i]: _fmt(kf[i]) for i in range(n)}
        text = f"Round {rno}: after {iterations} iteration(s) the quota is {_fmt(quota)} "
        text += f"and the total surplus {_fmt(surplus)}."
        if status in ("elected", "capped"):
            for h, why in newly:
                rec.elected.append(Decision(cands[h], why))
                text += f" {cands[h]} is elected with {_fmt(votes[h])} votes."
            for h, why in blocked:
                rec.excluded.append(Decision(cands[h], why))
                text += f" {cands[h]} exceeded the quota but {why}; their votes pass on."
            rec.action = "elect" if newly else "exclude (group cap)"
        elif status == "batch":
            names = [cands[c] for c in batch]
            for c in batch:
                why = (
                    f"certain loser: with {_fmt(votes[c])} votes, even the whole surplus "
                    "could not lift this group above the next candidate"
                )
                rec.excluded.append(Decision(cands[c], why))
                hopeful.discard(c)
                excluded.add(c)
                kf[c] = 0
            rec.action = "exclude " + ", ".join(names)
            text += (
                f" {', '.join(names)} cannot overtake the next candidate even if they received "
                "the whole surplus, so they are excluded together and their votes pass on."
            )
        else:
            low = min(votes[h] for h in hopeful)
            tied = [cands[h] for h in hopeful if low + surplus - votes[h] > -GEPS]
            # Candidates within the surplus of the lowest are effectively tied; the lowest
            # current total (then earlier rounds, then the tie order) decides, which is how
            # the reference results come out.
            c = cands.index(ties.choose(tied, "exclude", rno, history, same=same, fmt=_fmt))
            hopeful.discard(c)
            excluded.add(c)
            kf[c] = 0
            why = "surplus below omega (1e-9)" if status == "omega" else "surplus no longer falling"
            rec.excluded.append(Decision(cands[c], f"fewest votes ({_fmt(votes[c])}); {why}"))
            rec.action = f"exclude {cands[c]}"
            tie_note = (
                f" (tied within the surplus with {', '.join(t for t in tied if t != cands[c])}; see ties)"
                if len(tied) > 1
                else ""
            )
            text += (
                f" The count has settled ({why}), so {cands[c]}, with the fewest votes "
                f"({_fmt(votes[c])}){tie_note}, is excluded and their votes pass on."
            )
        rec.explanation = text

    last = rounds[-1]
    for h in sorted(hopeful, key=lambda h: (-last_votes(history, cands, h), ties.rank[cands[h]])):
        why = cap.blocked(cands[h], [cands[e] for e in elected])
        if len(elected) < seats and why is None:
            elected.append(h)
            last.elected.append(
                Decision(cands[h], "elected without a quota: continuing candidates = seats left")
            )
            last.explanation += f" {cands[h]} is elected to fill a remaining seat."
        else:
            last.excluded.append(Decision(cands[h], why or "not elected: all seats are filled"))
    if len(elected) < seats:
        notes.append(f"Only {len(elected)} of {seats} seats could be filled.")
    result.elected = [cands[e] for e in elected]
    result.rounds = rounds
    result.ties = ties.ties
    result.notes = notes
    return result


def last_votes(history: list[tuple[int, dict[str, int]]], cands: list[str], h: int) -> int:
    return history[-1][1][cands[h]]
