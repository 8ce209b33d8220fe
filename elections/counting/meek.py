"""Meek STV (reference rule as in the "droop" program, rule ``meek``, omega 1e-9).

Arithmetic: fixed point with 18 + 9 guard decimal digits; values closer than half a unit in
the 18th place compare equal ("guarded" arithmetic). Each iteration:

1. every ballot is passed down its ranking: each elected candidate keeps weight * keep factor
   (truncated) and passes on weight * (1 - keep factor); a hopeful candidate keeps the rest;
   excluded candidates are skipped;
2. quota = (votes held by candidates) / (seats + 1), recomputed every iteration, so votes
   that become non-transferable lower the quota; elected when votes > quota;
3. surplus = total of elected candidates' votes above the quota; stop iterating when a
   candidate is elected, surplus <= omega (the documented tolerance, 1e-9), the surplus stops
   falling, or a batch of certain losers can be excluded; else keep factor := keep factor *
   quota / votes (each step truncated) and repeat.

Why a count can crawl, and what is done about it. The keep factors converge to Meek's fixed
point linearly: each iteration removes only the part of the surplus that leaves the elected
candidates. When elected candidates rank each other next (A's voters put B second and B's
put A second), almost all of A's surplus lands on B and comes back, so with keep factors near
1 the surplus shrinks by about 0.1% per iteration: the profile 1,000,001 / 1,000,001 /
1,000,000 / 1,000,000 for 3 seats took 15,635 iterations in one round, and spread over
100,000 distinct ballot lines each iteration walks all of them. So:

* after ``ACCELERATE_AFTER`` iterations of one round (the published reference elections
  need at most 6) the iteration is extrapolated to its limit (Aitken's delta-squared on the
  keep factors, using the measured rate at which the surplus shrinks); a step is kept only
  when it lowers the surplus without taking any elected candidate below the quota, so the
  count still stops at the same fixed point and tolerance, in tens of iterations;
* a round never runs more than ``MAX_ITERATIONS`` iterations; one that reaches it settles
  as if the surplus had stopped falling, and its explanation says so;
* excluded candidates are pruned from the ballot tree (their children are merged into
  their parents), so later iterations walk only candidates still in the count;
* a ``Deadline`` (the rule set's time budget) is checked every iteration.

Ballots are held in a prefix tree of rankings: ballots sharing a ranking prefix are
distributed together, which gives exactly the per-ballot result but far faster.
"""

from __future__ import annotations

from fractions import Fraction

from .common import (
    NEVER,
    Deadline,
    GroupCap,
    Grouped,
    display_number,
    fmt_fixed,
    mul_weight,
    prepare,
    residue_text,
)
from .model import CountResult, Decision, Election, Round
from .ties import TieBreaker

DIGITS = 27  # 18 significant decimals + 9 guard digits
SCALE = 10**DIGITS
GEPS = 10**9 // 2  # values nearer than this (in units of 1e-27) are equal
OMEGA = SCALE // 10**9
ACCELERATE_AFTER = 50  # iterations of one round before extrapolating (reference files: <= 6)
ACCELERATE_EVERY = 5
MAX_ITERATIONS = 10_000  # per round


def _fmt(u: int) -> str:
    return fmt_fixed(u, DIGITS, 18)


def _show(u: int) -> str:
    """For prose: the same value without trailing zeros."""
    return display_number(_fmt(u))


class _Node:
    __slots__ = ("cand", "children", "end", "through")

    def __init__(self, cand: int) -> None:
        self.cand = cand
        self.through: Fraction | int = 0  # weight of ballots passing through this node
        self.end: Fraction | int = 0  # weight of ballots whose ranking ends here
        self.children: dict[int, _Node] = {}


def _build_tree(groups: Grouped, excluded: set[int] | frozenset[int] = frozenset()) -> list[_Node]:
    """The prefix tree of rankings, without ``excluded`` candidates (ballots pass over them)."""
    root = _Node(-1)
    _build_into(root, groups, excluded)
    return list(root.children.values())


def _build_into(root: _Node, groups: Grouped, excluded: set[int] | frozenset[int]) -> None:
    for ranking, w in groups.items():
        mult: Fraction | int = int(w) if w.denominator == 1 else w
        node = root
        for c in ranking:
            if c in excluded:
                continue
            nxt = node.children.get(c)
            if nxt is None:
                nxt = node.children[c] = _Node(c)
            nxt.through += mult
            node = nxt
        node.end += mult  # on the root: a ballot left with no candidate in the count


def count_meek(
    election: Election,
    seats: int,
    ties: TieBreaker,
    cap: GroupCap,
    withdrawn: set[str],
    deadline: Deadline = NEVER,
) -> CountResult:
    cands, groups, notes = prepare(election, withdrawn)
    n = len(cands)
    root = _Node(-1)
    _build_into(root, groups, frozenset())
    top = list(root.children.values())
    pruned: set[int] = set()
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

    def distribute(kf: list[int] = kf) -> tuple[list[int], int]:
        """One Meek pass over all ballots: (votes per candidate, exhausted value)."""
        votes = [0] * n
        exhausted = mul_weight(SCALE, root.end)  # ballots whose every candidate was excluded
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
        f"First preferences counted: {_show(total_units)} valid votes for {seats} seat(s). "
        f"The starting quota is {_show(quota)} (votes / (seats + 1)); in Meek STV it is "
        "recomputed at every iteration from the votes still held by candidates."
    )

    def jacobian() -> tuple[list[float], dict[int, list[float]]]:
        """Votes and their derivatives by the elected candidates' keep factors, in floating
        point (one walk of the tree carrying d(weight)/d(keep factor) alongside the weight)."""
        index = {e: i for i, e in enumerate(elected)}
        m = len(elected)
        votes = [0.0] * n
        dvotes: dict[int, list[float]] = {c: [0.0] * m for c in range(n)}
        stack = [(node, 1.0, [0.0] * m) for node in top]
        while stack:
            node, w, dw = stack.pop()
            c = node.cand
            through = float(node.through)
            if c in index:
                k = kf[c] / SCALE
                i = index[c]
                votes[c] += w * k * through
                row = dvotes[c]
                for j in range(m):
                    row[j] += dw[j] * k * through
                row[i] += w * through
                w_next = w * (1 - k)
                dw_next = [d * (1 - k) for d in dw]
                dw_next[i] -= w
            else:  # hopeful: keeps everything, passes nothing on
                votes[c] += w * through
                row = dvotes[c]
                for j in range(m):
                    row[j] += dw[j] * through
                continue
            if w_next <= 0 and not any(dw_next):
                continue
            stack.extend((child, w_next, dw_next) for child in node.children.values())
        return votes, dvotes

    def newton(votes: list[int], quota: int, surplus: int) -> bool:
        """Solve for the keep factors that put every elected candidate a hair above the quota
        (a quarter of omega shared out), by Newton's method with exact residuals; keep the
        result only if no elected candidate ends below the quota and the surplus fell."""
        m = len(elected)
        target = OMEGA // (4 * m)
        trial = kf[:]
        v_exact, q_exact = votes, quota
        for _step in range(12):
            deadline.check()
            residual = [(v_exact[e] - q_exact - target) / SCALE for e in elected]
            if all(0 <= r * SCALE <= 2 * target for r in residual):
                break
            saved = kf[:]
            kf[:] = trial
            _v, dv = jacobian()
            kf[:] = saved
            held = [sum(dv[c][j] for c in range(n) if c in hopeful or c in elected) for j in range(m)]
            matrix = [[dv[e][j] - held[j] / (seats + 1) for j in range(m)] for e in elected]
            step = _solve(matrix, [-r for r in residual])
            if step is None:
                return False
            for i, e in enumerate(elected):
                trial[e] = min(SCALE, max(1, trial[e] + round(step[i] * SCALE)))
            v_exact, _exh = distribute(trial)
            held_t = sum(v_exact[c] for c in range(n) if c in hopeful or c in elected)
            q_exact = held_t // (seats + 1)
        if any(v_exact[e] - q_exact < 0 for e in elected):
            return False
        if sum(v_exact[e] - q_exact for e in elected) >= surplus:
            return False
        kf[:] = trial
        return True

    rno = 0
    while not complete():
        rno += 1
        if excluded != pruned:  # excluded candidates leave the ballot tree
            root = _Node(-1)
            _build_into(root, groups, excluded)
            top = list(root.children.values())
            pruned = set(excluded)
        last_surplus = total_units
        iterations = 0
        accelerated = 0
        while True:
            iterations += 1
            deadline.check()
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
                    newly.append((h, f"votes {_show(votes[h])} exceed the quota {_show(quota)}"))
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
            if iterations >= MAX_ITERATIONS:
                status = "bounded"
                break
            last_surplus = surplus
            if (
                iterations >= ACCELERATE_AFTER
                and iterations % ACCELERATE_EVERY == 0
                and newton(votes, quota, surplus)
            ):
                accelerated += 1
                continue
            for e in elected:
                kf[e] = (kf[e] * quota // SCALE) * SCALE // votes[e]
        rec = record(rno, "", votes, exh, quota)
        rec.keep_factors = {cands[i]: _fmt(kf[i]) for i in range(n)}
        text = f"Round {rno}: after {iterations} iteration(s) the quota is {_show(quota)} "
        text += f"and the total surplus {_show(surplus)}."
        if accelerated:
            text += (
                " The surplus was shrinking very slowly (elected candidates passing votes to "
                "each other), so the keep factors were solved for directly by Newton's method "
                f"({accelerated} time(s)) and checked exactly, as the module documentation says."
            )
        if status in ("elected", "capped"):
            for h, why in newly:
                rec.elected.append(Decision(cands[h], why))
                text += f" {cands[h]} is elected with {_show(votes[h])} votes."
            for h, why in blocked:
                rec.excluded.append(Decision(cands[h], why))
                text += f" {cands[h]} exceeded the quota but {why}; their votes pass on."
            rec.action = "elect" if newly else "exclude (group cap)"
        elif status == "batch":
            names = [cands[c] for c in batch]
            for c in batch:
                why = (
                    f"certain loser: with {_show(votes[c])} votes, even the whole surplus "
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
            c = cands.index(ties.choose(tied, "exclude", rno, history, same=same, fmt=_show))
            hopeful.discard(c)
            excluded.add(c)
            kf[c] = 0
            why = {
                "omega": "surplus below omega (1e-9)",
                "stable": "surplus no longer falling",
                "bounded": f"iteration bound of {MAX_ITERATIONS:,} reached",
            }[status]
            rec.excluded.append(Decision(cands[c], f"fewest votes ({_show(votes[c])}); {why}"))
            rec.action = f"exclude {cands[c]}"
            tie_note = (
                f" (tied within the surplus with {', '.join(t for t in tied if t != cands[c])}; see ties)"
                if len(tied) > 1
                else ""
            )
            text += (
                f" The count has settled ({why}), so {cands[c]}, with the fewest votes "
                f"({_show(votes[c])}){tie_note}, is excluded and their votes pass on."
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


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None for a (nearly) singular matrix."""
    size = len(rhs)
    a = [[*row, rhs[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-300:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(size):
            if r != col and a[r][col]:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][size] / a[i][i] for i in range(size)]


def last_votes(history: list[tuple[int, dict[str, int]]], cands: list[str], h: int) -> int:
    return history[-1][1][cands[h]]
