"""Who controls the foundation: the board's voting power at any moment, and over time.

Seats are not power. For the board on a date this computes, for each group (a corporate
group, or an independent director on their own), its seats, its share of the votes, and
its Banzhaf and Shapley–Shubik indices (``governance/power.py``, exact) in the game
"every director in office votes, no abstentions", for each threshold the rule set in
force defines: the ordinary majority, the supermajority and decisions by written consent
(which fail when the rule set's number of directors object). Whether a group alone can
pass or block at each threshold, and whether its absence denies the board its quorum, is
reported separately, with plain sentences for the page.

How groups are identified is ``governance/control_groups.py``'s business alone; the
elections' rolls come from the elections app through :func:`register_frozen_rolls`
(``governance/control_elections.py``). Reads only: nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import clock
from core.errors import NotFound, ValidationFailed
from core.models import RuleSet
from core.models.rules import MAJORITY_BASES
from core.rules import rules_in_force
from governance import power
from governance.control_groups import HOLDING_RELATED, Affiliation, board_groups, holding_groups, named
from governance.models import HoldingSource, Seat, SeatHolding
from governance.voting import quorum_required, threshold

MAJORITY = "majority"
SUPERMAJORITY = "supermajority"
WRITTEN_CONSENT = "written_consent"


def parse_control_at(value: str | None) -> dt.datetime | None:
    """``?at=``: a date (the board at the end of that day, UTC) or an ISO 8601 moment.

    Empty means now; today's date means now; a moment in the future is refused, like a
    malformed value, with a ``ValidationFailed`` (400) that says what is expected.
    """
    if value is None or not value.strip():
        return None
    raw = value.strip()
    moment: dt.datetime | None = None
    day: dt.date | None = None
    try:
        day = parse_date(raw)
        if day is not None:
            moment = dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
        else:
            moment = parse_datetime(raw)
            if moment is not None and moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            if moment is not None:
                moment.astimezone(dt.UTC)  # overflows near year 1 or 9999
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise ValidationFailed(
            _("“at” must be a date (2026-05-01) or an ISO 8601 date and time (2026-05-01T12:00:00Z)."),
            code="invalid_at",
            detail={"at": raw[:100]},
        )
    now = clock.now()
    if day is not None and day == now.date():
        return now
    if moment > now:
        raise ValidationFailed(
            _("“at” must not be in the future: the board is known up to today."),
            code="at_in_future",
            detail={"at": raw[:100]},
        )
    return moment


# --- Thresholds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """A decision rule as a weighted game: ``quota`` yes votes when every director votes."""

    key: str
    label: str
    rule: str
    quota: int
    decisions: str = ""  # the decisions it governs, for sentences ("decisions by written consent")


def _fraction_rule(numerator: int, denominator: int, strict: bool, base: str) -> str:
    bases = {key: str(label) for key, label in MAJORITY_BASES}
    text = _("more than %(num)s/%(den)s of %(base)s") if strict else _("at least %(num)s/%(den)s of %(base)s")
    return text % {"num": numerator, "den": denominator, "base": bases.get(base, base)}


def decision_thresholds(rules: RuleSet, in_office: int) -> list[Threshold]:
    """The rule set's thresholds for a board of ``in_office`` directors who all vote.

    With every director present and voting, votes cast, directors present and directors
    in office are the same number, so each base gives the same count here. A decision by
    written consent fails when ``written_consent_objection_limit`` directors object and
    otherwise needs the ordinary majority: ``max(majority, in_office - limit + 1)`` yes.
    """
    majority = max(
        threshold(
            in_office, rules.majority_numerator, rules.majority_denominator, strict=rules.majority_strict
        ),
        1,
    )
    supermajority = max(
        threshold(
            in_office,
            rules.supermajority_numerator,
            rules.supermajority_denominator,
            strict=rules.supermajority_strict,
        ),
        1,
    )
    limit = rules.written_consent_objection_limit
    consent = max(majority, in_office - limit + 1)
    return [
        Threshold(
            MAJORITY,
            _("Ordinary majority"),
            _fraction_rule(
                rules.majority_numerator,
                rules.majority_denominator,
                rules.majority_strict,
                rules.majority_base,
            ),
            majority,
            _("ordinary decisions"),
        ),
        Threshold(
            SUPERMAJORITY,
            _("Supermajority"),
            _fraction_rule(
                rules.supermajority_numerator,
                rules.supermajority_denominator,
                rules.supermajority_strict,
                rules.supermajority_base,
            ),
            supermajority,
            _("decisions that need the supermajority"),
        ),
        Threshold(
            WRITTEN_CONSENT,
            _("Written consent"),
            ngettext(
                "the ordinary majority, and fails when %(limit)s director objects",
                "the ordinary majority, and fails when %(limit)s directors object",
                limit,
            )
            % {"limit": limit},
            consent,
            _("decisions by written consent"),
        ),
    ]


# --- The board's power at one moment ---------------------------------------------------------


@dataclass
class GroupPower:
    group: Affiliation
    seats: int
    directors: list[str]
    in_office: int
    standings: dict[str, power.Standing]
    denies_quorum: bool

    @property
    def seat_share(self) -> Fraction:
        return Fraction(self.seats, self.in_office) if self.in_office else Fraction(0)

    def by_threshold(self, thresholds: Sequence[Threshold]) -> list[tuple[Threshold, power.Standing]]:
        return [(t, self.standings[t.key]) for t in thresholds]


#: A board's composition: each group with its seats and the names of its directors.
Composition = list[tuple[Affiliation, int, list[str]]]


@dataclass
class BoardPower:
    at: dt.datetime
    rules: RuleSet
    seats: int  # seats that exist (held or vacant)
    in_office: int
    quorum: int
    thresholds: list[Threshold]
    groups: list[GroupPower]
    findings: list[str] = field(default_factory=list)
    cap: list[str] = field(default_factory=list)

    @property
    def vacancies(self) -> int:
        return max(self.seats - self.in_office, 0)

    @property
    def largest(self) -> GroupPower | None:
        return self.groups[0] if self.groups else None

    def group(self, key: str) -> GroupPower | None:
        return next((g for g in self.groups if g.group.key == key), None)


def power_of(composition: Composition, *, rules: RuleSet, seats: int, at: dt.datetime) -> BoardPower:
    """The power figures of ``composition`` under ``rules`` (pure: no query)."""
    merged: dict[str, tuple[Affiliation, int, list[str]]] = {}
    for group, count, names in composition:
        if count <= 0:
            continue
        first, before, people = merged.get(group.key, (group, 0, []))
        merged[group.key] = (named(first, group), before + count, [*people, *names])
    rows = sorted(merged.values(), key=lambda r: (-r[1], r[0].label.casefold()))
    weights = [count for _g, count, _n in rows]
    in_office = sum(weights)
    thresholds = decision_thresholds(rules, in_office)
    quorum = quorum_required(rules, in_office)
    games = {t.key: power.analyse(weights, t.quota) for t in thresholds}
    groups = [
        GroupPower(
            group=group,
            seats=count,
            directors=names,
            in_office=in_office,
            standings={key: standings[i] for key, standings in games.items()},
            denies_quorum=power.denies_quorum(count, in_office, quorum),
        )
        for i, (group, count, names) in enumerate(rows)
    ]
    # Ties in seats: the group with more power first (then by name), so "largest" is stable.
    groups.sort(key=lambda g: (-g.seats, -g.standings[MAJORITY].banzhaf, g.group.label.casefold()))
    result = BoardPower(
        at=at,
        rules=rules,
        seats=max(seats, in_office),
        in_office=in_office,
        quorum=quorum,
        thresholds=thresholds,
        groups=groups,
    )
    result.findings = findings(result)
    result.cap = cap_findings(rules, in_office)
    return result


def live_seats(at: dt.datetime) -> int:
    """Seats that existed at ``at`` (held or vacant)."""
    return Seat.objects.filter(created_at__lte=at).exclude(abolished_at__lte=at).count()


def board_composition(*, at: dt.datetime) -> Composition:
    """The board in office at ``at``, grouped (``control_groups.board_groups``)."""
    composition: dict[str, tuple[Affiliation, int, list[str]]] = {}
    for holding, group in board_groups(at=at):
        first, count, names = composition.get(group.key, (group, 0, []))
        composition[group.key] = (named(first, group), count + 1, [*names, holding.person.public_name])
    return list(composition.values())


def board_power_if_any(*, at: dt.datetime | None = None) -> BoardPower | None:
    """:func:`board_power`, or ``None`` before the first rule set took effect (an empty page)."""
    try:
        return board_power(at=at)
    except NotFound:
        return None


def board_power(*, at: dt.datetime | None = None) -> BoardPower:
    """The board's power figures at ``at`` (now by default), under the rule set then in force.

    Raises ``core.errors.NotFound`` (``no_rule_set``) before the first rule set took effect.
    """
    at = at or clock.now()
    rules = rules_in_force(at=at)
    return power_of(board_composition(at=at), rules=rules, seats=live_seats(at), at=at)


# --- Plain sentences -----------------------------------------------------------------------------


def percent(value: Fraction | float) -> str:
    """A share as the pages print it: one decimal, e.g. ``37.5 %``."""
    return _("%(value)s %%") % {"value": f"{float(value) * 100:.1f}"}


def _seats_text(group: GroupPower) -> str:
    return _("%(seats)s of %(total)s seats, %(share)s") % {
        "seats": group.seats,
        "total": group.in_office,
        "share": percent(group.seat_share),
    }


def findings(board: BoardPower) -> list[str]:
    """What a reader should know about ``board``, one sentence each."""
    if not board.groups:
        return []
    result = []
    for t in board.thresholds:
        blockers = [g for g in board.groups if g.standings[t.key].can_block]
        passers = [g for g in board.groups if g.standings[t.key].can_pass]
        for g in passers:
            result.append(
                _("%(group)s (%(seats)s) can pass %(rule)s on its own: %(quota)s yes votes are needed.")
                % {"group": g.group.label, "seats": _seats_text(g), "rule": t.decisions, "quota": t.quota}
            )
        for g in blockers:
            if g in passers:
                continue
            fewer = g.seat_share < Fraction(1, 2)
            text = (
                _(
                    "%(group)s, with fewer than half the seats (%(seats)s), can block all %(rule)s on its own: %(quota)s yes votes are needed and the other %(others)s directors cannot reach them."
                )
                if fewer
                else _(
                    "%(group)s (%(seats)s) can block all %(rule)s on its own: %(quota)s yes votes are needed and the other %(others)s directors cannot reach them."
                )
            )
            result.append(
                text
                % {
                    "group": g.group.label,
                    "seats": _seats_text(g),
                    "rule": t.decisions,
                    "quota": t.quota,
                    "others": board.in_office - g.seats,
                }
            )
        if not blockers and not passers:
            result.append(
                _("No group can pass or block %(rule)s on its own (%(quota)s of %(total)s yes votes needed).")
                % {"rule": t.decisions, "quota": t.quota, "total": board.in_office}
            )
    deniers = [g for g in board.groups if g.denies_quorum]
    for g in deniers:
        result.append(
            _("If %(group)s stays away, the board has no quorum (%(quorum)s of %(total)s directors needed).")
            % {"group": g.group.label, "quorum": board.quorum, "total": board.in_office}
        )
    if not deniers:
        result.append(
            _(
                "No group can deny the board its quorum by staying away (%(quorum)s of %(total)s directors needed)."
            )
            % {"quorum": board.quorum, "total": board.in_office}
        )
    return result


def cap_findings(rules: RuleSet, in_office: int) -> list[str]:
    """What a group holding as many seats as the per-group cap allows could do alone."""
    if in_office <= 0:
        return []
    cap = min(rules.board_max_per_group, in_office)
    quorum = quorum_required(rules, in_office)
    share = percent(Fraction(cap, in_office))
    half = _("fewer than half") if Fraction(cap, in_office) < Fraction(1, 2) else _("at least half")
    intro = _(
        "Rule set v%(version)s lets one corporate group hold at most %(cap)s of the %(total)s directors' seats (%(share)s, %(half)s)."
    ) % {"version": rules.version, "cap": cap, "total": in_office, "share": share, "half": half}
    can = []
    for t in decision_thresholds(rules, in_office):
        if power.can_pass(cap, t.quota):
            can.append(_("pass %(rule)s") % {"rule": t.decisions})
        elif power.can_block(cap, in_office, t.quota):
            can.append(
                _("block all %(rule)s (%(quota)s yes votes needed, the others are %(others)s)")
                % {"rule": t.decisions, "quota": t.quota, "others": in_office - cap}
            )
    if power.denies_quorum(cap, in_office, quorum):
        can.append(_("deny the board its quorum by staying away"))
    if not can:
        return [intro, _("A group holding that many cannot pass or block any decision on its own.")]
    return [intro, _("A group holding that many could, on its own: %(what)s.") % {"what": "; ".join(can)}]


# --- Over time ---------------------------------------------------------------------------------


@dataclass
class TimelinePoint:
    """The board from ``at`` until the next point: its largest group's seats and power."""

    at: dt.datetime
    rule_set: int
    seats: int
    in_office: int
    largest: GroupPower | None
    tied: int  # other groups with as many seats as the largest
    thresholds: list[Threshold]
    election: bool = False  # seats were filled by an election at this moment
    size_change: bool = False  # the number of seats changed
    rules_change: bool = False  # another rule-set version took effect

    def standing(self, key: str) -> power.Standing | None:
        return self.largest.standings[key] if self.largest else None


def power_timeline(*, at: dt.datetime | None = None) -> list[TimelinePoint]:
    """The board's largest group, its seat share and power at every change since the first seat.

    A point is kept where the composition, the number of seats or the rule set changed, or
    where an election filled seats (even when the same directors were re-elected). Four
    queries whatever the history's length: holdings, seats, rule sets.
    """
    at = at or clock.now()
    holdings = list(
        SeatHolding.objects.filter(starts_at__lte=at).select_related(*HOLDING_RELATED).order_by("starts_at")
    )
    seats = list(Seat.objects.filter(created_at__lte=at).values_list("created_at", "abolished_at"))
    versions = list(
        RuleSet.objects.filter(effective_from__isnull=False, effective_from__lte=at).order_by(
            "effective_from", "version"
        )
    )
    if not (seats or holdings) or not versions:
        return []
    start = min([s for s, _a in seats] + [h.starts_at for h in holdings])
    moments = {start}
    moments.update(h.starts_at for h in holdings)
    moments.update(h.ends_at for h in holdings if h.ends_at is not None and h.ends_at <= at)
    moments.update(s for s, _a in seats)
    moments.update(a for _s, a in seats if a is not None and a <= at)
    moments.update(v.effective_from for v in versions if v.effective_from and v.effective_from > start)
    elected_at = {h.starts_at for h in holdings if h.source == HoldingSource.ELECTION}
    groups = {h.pk: g for h, g in zip(holdings, holding_groups(holdings), strict=True)}
    points: list[TimelinePoint] = []
    previous_key: tuple[object, ...] | None = None
    for moment in sorted(m for m in moments if start <= m <= at):
        rules = next((v for v in reversed(versions) if v.effective_from and v.effective_from <= moment), None)
        if rules is None:
            continue
        live = [h for h in holdings if h.starts_at <= moment and (h.ends_at is None or h.ends_at > moment)]
        composition: dict[str, tuple[Affiliation, int, list[str]]] = {}
        for h in live:
            group = groups[h.pk]
            first, count, names = composition.get(group.key, (group, 0, []))
            composition[group.key] = (named(first, group), count + 1, [*names, h.person.public_name])
        # Seats created after their first holder sat (a sponsor's seats seeded late) count from then.
        seat_count = max(sum(1 for s, a in seats if s <= moment and (a is None or a > moment)), len(live))
        key = (rules.version, seat_count, tuple(sorted((k, c) for k, (_g, c, _n) in composition.items())))
        election = moment in elected_at
        if key == previous_key and not election:
            continue
        board = power_of(list(composition.values()), rules=rules, seats=seat_count, at=moment)
        largest = board.largest
        points.append(
            TimelinePoint(
                at=moment,
                rule_set=rules.version,
                seats=board.seats,
                in_office=board.in_office,
                largest=largest,
                tied=sum(1 for g in board.groups[1:] if largest and g.seats == largest.seats),
                thresholds=board.thresholds,
                election=election,
                size_change=bool(points) and points[-1].seats != board.seats,
                rules_change=bool(points) and points[-1].rule_set != rules.version,
            )
        )
        previous_key = key
    return points
