"""Single-round and elimination methods: plurality, approval and IRV (exact fractions)."""

from __future__ import annotations

from fractions import Fraction

from .common import NEVER, Deadline, GroupCap, fmt_fraction, prepare
from .model import CountError, CountResult, Decision, Election, Round, Transfer
from .ties import TieBreaker


def count_simple(
    election: Election,
    seats: int,
    method: str,
    ties: TieBreaker,
    cap: GroupCap,
    withdrawn: set[str],
    deadline: Deadline = NEVER,
) -> CountResult:
    if method == "irv":
        return _irv(election, seats, ties, cap, withdrawn, deadline)
    cands, groups, notes = prepare(election, withdrawn, allow_equal=True)
    totals = {c: Fraction(0) for c in cands}
    for ranking, w in groups.items():
        if method == "plurality":
            first = ranking[0]
            for c in first:  # equal first preferences share the ballot's weight
                totals[cands[c]] += w / len(first)
        else:  # approval: every candidate listed on the ballot is approved
            for level in ranking:
                for c in level:
                    totals[cands[c]] += w
    rnd = Round(0, f"{method} totals", {c: fmt_fraction(v) for c, v in totals.items()})
    elected: list[str] = []
    remaining = list(cands)
    while remaining and len(elected) < seats:
        best = max(totals[c] for c in remaining)
        tied = [c for c in remaining if totals[c] == best]
        c = ties.choose(tied, "elect", 0) if len(tied) > 1 else tied[0]
        remaining.remove(c)
        why = cap.blocked(c, elected)
        if why:
            rnd.excluded.append(Decision(c, why))
            continue
        elected.append(c)
        rnd.elected.append(Decision(c, f"{fmt_fraction(totals[c])} votes, rank {len(elected)}"))
    what = (
        "first preferences (equal first choices share the ballot)"
        if method == "plurality"
        else "approvals (every candidate listed on a ballot is approved)"
    )
    rnd.explanation = (
        f"Each candidate's {what} were added up; the {seats} highest eligible totals win: "
        + ", ".join(f"{c} ({fmt_fraction(totals[c])})" for c in elected)
        + "."
    )
    if rnd.excluded:
        rnd.explanation += (
            " Skipped under the anti-capture rule: " + ", ".join(x.candidate for x in rnd.excluded) + "."
        )
    return CountResult(
        method=method,
        seats=seats,
        elected=elected,
        rounds=[rnd],
        ties=ties.ties,
        notes=notes,
        candidates=cands,
        total=fmt_fraction(sum(groups.values(), Fraction(0))),
        tie_order=ties.order,
    )


def _irv(
    election: Election,
    seats: int,
    ties: TieBreaker,
    cap: GroupCap,
    withdrawn: set[str],
    deadline: Deadline = NEVER,
) -> CountResult:
    """Instant-runoff: exclude the lowest until someone holds a majority of continuing votes."""
    if seats != 1:
        raise CountError("IRV elects one seat; use an STV method (meek, scottish, wigm)")
    cands, groups, notes = prepare(election, withdrawn)
    total = sum(groups.values(), Fraction(0))
    continuing = set(range(len(cands)))
    rounds: list[Round] = []
    history: list[tuple[int, dict[str, Fraction]]] = []
    elected: list[str] = []
    prev: dict[tuple[int, ...], int | None] = {}
    rno = 0
    while continuing and not elected:
        deadline.check()
        totals = {c: Fraction(0) for c in range(len(cands))}
        exhausted = Fraction(0)
        holder: dict[tuple[int, ...], int | None] = {}
        for ranking, w in groups.items():
            top = next((c for c in ranking if c in continuing), None)
            holder[ranking] = top
            if top is None:
                exhausted += w
            else:
                totals[top] += w
        moved: dict[tuple[int, int | None], Fraction] = {}
        for ranking, w in groups.items():
            before = prev.get(ranking)
            if rno and before is not None and before != holder[ranking]:
                key = (before, holder[ranking])
                moved[key] = moved.get(key, Fraction(0)) + w
        prev = holder
        active = total - exhausted
        rnd = Round(
            number=rno,
            action="count",
            votes={cands[c]: fmt_fraction(v) for c, v in totals.items()},
            exhausted=fmt_fraction(exhausted),
            transfers=[
                Transfer(cands[a], cands[b] if b is not None else None, fmt_fraction(v))
                for (a, b), v in moved.items()
            ],
        )
        rounds.append(rnd)
        history.append((rno, {cands[c]: v for c, v in totals.items()}))
        leader = max(continuing, key=lambda c: totals[c])
        lead = [c for c in continuing if totals[c] == totals[leader]]
        text = f"Round {rno}: {fmt_fraction(active)} votes are with continuing candidates"
        if (2 * totals[leader] > active and len(lead) == 1) or len(continuing) == 1:
            why = cap.blocked(cands[leader], [])
            if why:
                continuing.discard(leader)
                rnd.excluded.append(Decision(cands[leader], why))
                rnd.explanation = text + f"; {cands[leader]} leads but {why}."
                rno += 1
                continue
            elected.append(cands[leader])
            rnd.elected.append(
                Decision(
                    cands[leader],
                    f"majority: {fmt_fraction(totals[leader])} of {fmt_fraction(active)} continuing votes",
                )
            )
            rnd.explanation = text + (
                f"; {cands[leader]} has {fmt_fraction(totals[leader])}, more than half, and is elected."
            )
            break
        low = min(totals[c] for c in continuing)
        tied = [cands[c] for c in continuing if totals[c] == low]
        out = cands.index(ties.choose(tied, "exclude", rno, history))
        continuing.discard(out)
        rnd.excluded.append(Decision(cands[out], f"fewest votes ({fmt_fraction(low)})"))
        rnd.explanation = text + (
            f"; nobody has more than half, so {cands[out]} (fewest votes, {fmt_fraction(low)}) "
            "is excluded and their ballots go to their next continuing preference."
        )
        rno += 1
    return CountResult(
        method="irv",
        seats=1,
        elected=elected,
        rounds=rounds,
        ties=ties.ties,
        notes=notes,
        candidates=cands,
        total=fmt_fraction(total),
        tie_order=ties.order,
    )
