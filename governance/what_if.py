"""What if: the board's power under a pending change, before anyone adopts it.

A scenario starts from the board in office now and changes it in memory only: another
rule-set version (a draft with a higher per-group cap, other thresholds or size limits),
another number of seats, a new sponsor member whose class requires seats, or a group
holding a given number of seats. Nothing is written: the figures are recomputed with
``governance.control.power_of`` on the changed composition, and compared group by group
with today's. Each assumption the scenario makes is stated with the figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import clock
from core.errors import ValidationFailed
from core.models import RuleSet
from governance.control import (
    BoardPower,
    Composition,
    GroupPower,
    board_composition,
    board_power,
    live_seats,
    power_of,
)
from governance.control_groups import GROUP, INDEPENDENT, Affiliation
from governance.services.board import board_required_seats
from members.models import MembershipClass

NEW_GROUP_KEY = "group:(new sponsor)"


def new_sponsor_group() -> Affiliation:
    return Affiliation(key=NEW_GROUP_KEY, label=_("The new sponsor's group"), kind=GROUP)


@dataclass
class Scenario:
    rule_set: RuleSet
    board_size: int | None = None
    sponsor_class: MembershipClass | None = None
    sponsor_group: Affiliation | None = None
    group: Affiliation | None = None
    group_seats: int | None = None


@dataclass
class Comparison:
    group: Affiliation
    before: GroupPower | None
    after: GroupPower | None


@dataclass
class WhatIf:
    scenario: Scenario
    before: BoardPower
    after: BoardPower
    assumptions: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    rows: list[Comparison] = field(default_factory=list)


class _Board:
    """A composition being changed: groups with seats, and the seats that exist."""

    def __init__(self, composition: Composition, seats: int) -> None:
        self.groups: dict[str, tuple[Affiliation, int, list[str]]] = {
            g.key: (g, n, names) for g, n, names in composition
        }
        self.seats = seats
        self._newcomers = 0

    @property
    def in_office(self) -> int:
        return sum(n for _g, n, _names in self.groups.values())

    @property
    def vacancies(self) -> int:
        return max(self.seats - self.in_office, 0)

    def seats_of(self, key: str) -> int:
        return self.groups[key][1] if key in self.groups else 0

    def add(self, group: Affiliation, count: int) -> None:
        _g, before, names = self.groups.get(group.key, (group, 0, []))
        self.groups[group.key] = (group, before + count, names)
        if self.groups[group.key][1] <= 0:
            del self.groups[group.key]

    def add_independents(self, count: int) -> None:
        for _i in range(count):
            self._newcomers += 1
            label = _("New independent director %(n)s") % {"n": self._newcomers}
            self.add(
                Affiliation(key=f"independent:(new {self._newcomers})", label=label, kind=INDEPENDENT), 1
            )

    def remove_independents(self, count: int) -> int:
        """Remove up to ``count`` independent directors (the last by name); how many went."""
        independents = sorted(
            (g for g, _n, _names in self.groups.values() if g.kind == INDEPENDENT),
            key=lambda g: g.label.casefold(),
        )
        gone = 0
        for group in reversed(independents):
            if gone == count:
                break
            del self.groups[group.key]
            gone += 1
        return gone

    def take_seats(self, group: Affiliation, count: int) -> tuple[int, int]:
        """Give ``group`` ``count`` more seats: vacancies first, then independents' seats."""
        from_vacancies = min(count, self.vacancies)
        from_independents = self.remove_independents(count - from_vacancies)
        self.add(group, from_vacancies + from_independents)
        return from_vacancies, from_independents

    def composition(self) -> Composition:
        return list(self.groups.values())


def _resize(board: _Board, size: int, rules: RuleSet, notes: list[str]) -> None:
    if not rules.board_min_size <= size <= rules.board_max_size:
        raise ValidationFailed(
            _("Rule set v%(version)s allows a board of %(min)s to %(max)s seats.")
            % {"version": rules.version, "min": rules.board_min_size, "max": rules.board_max_size},
            code="board_size",
            detail={"field": "board_size"},
        )
    if size > board.seats:
        added = size - board.seats
        board.seats = size
        board.add_independents(added)
        notes.append(
            ngettext(
                "The board grows to %(size)s seats; the new seat is assumed filled by an independent director.",
                "The board grows to %(size)s seats; the %(count)s new seats are assumed filled by independent directors.",
                added,
            )
            % {"size": size, "count": added}
        )
    elif size < board.seats:
        fewer = board.seats - size
        vacant = min(fewer, board.vacancies)
        board.seats -= vacant
        leaving = fewer - vacant
        if leaving and board.remove_independents(leaving) < leaving:
            raise ValidationFailed(
                _("The board cannot shrink to %(size)s seats without removing directors who sit for a group.")
                % {"size": size},
                code="board_size",
                detail={"field": "board_size"},
            )
        board.seats -= leaving
        notes.append(
            _(
                "The board shrinks to %(size)s seats: %(vacant)s vacant seat(s) abolished, %(leaving)s independent director(s) leave."
            )
            % {"size": size, "vacant": vacant, "leaving": leaving}
        )


def _follow_rules(board: _Board, rules: RuleSet, notes: list[str]) -> None:
    """Without a chosen size, the board grows to the seats ``rules`` require of the sitting
    sponsors (its own seats per member), and a size above its maximum is pointed out."""
    required = min(max(board_required_seats(rules=rules), rules.board_min_size), rules.board_max_size)
    if required > board.seats:
        added = required - board.seats
        board.seats = required
        board.add_independents(added)
        notes.append(
            _(
                "Rule set v%(version)s requires %(required)s seats for the sitting sponsors: %(added)s new seat(s), assumed filled by independent directors."
            )
            % {"version": rules.version, "required": required, "added": added}
        )
    if board.seats > rules.board_max_size:
        notes.append(
            _(
                "Rule set v%(version)s allows at most %(max)s seats; the board has %(seats)s. Choose a board size to see it shrink."
            )
            % {"version": rules.version, "max": rules.board_max_size, "seats": board.seats}
        )


def _admit_sponsor(board: _Board, scenario: Scenario, group: Affiliation, notes: list[str]) -> None:
    rules, klass = scenario.rule_set, scenario.sponsor_class
    if klass is None:
        return
    per_member = klass.board_seats_per_member
    if klass.rule_set_id != rules.pk or per_member <= 0:
        raise ValidationFailed(
            _("Rule set v%(version)s has no class “%(code)s” that requires board seats.")
            % {"version": rules.version, "code": klass.code},
            code="not_a_sponsor_class",
            detail={"field": "sponsor_class"},
        )
    required = min(
        max(board_required_seats(rules=rules) + per_member, rules.board_min_size), rules.board_max_size
    )
    created = max(0, required - board.seats)
    board.seats += created
    room = max(0, rules.board_max_per_group - board.seats_of(group.key))
    wanted = min(per_member, room)
    from_new = min(wanted, created)
    board.add(group, from_new)
    from_vacancies, from_independents = (
        board.take_seats(group, wanted - from_new) if wanted > from_new else (0, 0)
    )
    board.add_independents(created - from_new)
    notes.append(
        _(
            "A new %(class)s member requires %(per)s seat(s): the bylaws then require %(required)s seats, so %(created)s seat(s) are created."
        )
        % {"class": klass.name, "per": per_member, "required": required, "created": created}
    )
    notes.append(
        _(
            "%(group)s is assumed to win %(seats)s seat(s), as many as the cap of %(cap)s per group allows (%(new)s new, %(vacant)s vacant, %(replaced)s in place of independent directors); other new seats go to independent directors."
        )
        % {
            "group": group.label,
            "seats": from_new + from_vacancies + from_independents,
            "cap": rules.board_max_per_group,
            "new": from_new,
            "vacant": from_vacancies,
            "replaced": from_independents,
        }
    )


def _set_group_seats(board: _Board, group: Affiliation, seats: int, rules: RuleSet, notes: list[str]) -> None:
    if seats > rules.board_max_per_group:
        raise ValidationFailed(
            _("Rule set v%(version)s allows at most %(cap)s director(s) per group.")
            % {"version": rules.version, "cap": rules.board_max_per_group},
            code="over_group_cap",
            detail={"field": "group_seats"},
        )
    current = board.seats_of(group.key)
    if seats > current:
        wanted = seats - current
        from_vacancies, from_independents = board.take_seats(group, wanted)
        if from_vacancies + from_independents < wanted:
            raise ValidationFailed(
                _(
                    "There are not enough vacant seats or independent directors to give %(group)s %(seats)s seats."
                )
                % {"group": group.label, "seats": seats},
                code="not_enough_seats",
                detail={"field": "group_seats"},
            )
        notes.append(
            _(
                "%(group)s holds %(seats)s seat(s): %(vacant)s vacant seat(s) and %(replaced)s independent director(s)' seats go to it."
            )
            % {"group": group.label, "seats": seats, "vacant": from_vacancies, "replaced": from_independents}
        )
    elif seats < current:
        board.add(group, seats - current)
        board.add_independents(current - seats)
        notes.append(
            _("%(group)s holds %(seats)s seat(s): independent directors take the other %(count)s.")
            % {"group": group.label, "seats": seats, "count": current - seats}
        )


def _rows(before: BoardPower, after: BoardPower) -> list[Comparison]:
    """Every group of either board: those after the change first (largest first), then those gone."""
    rows = [Comparison(group=g.group, before=before.group(g.group.key), after=g) for g in after.groups]
    rows += [
        Comparison(group=g.group, before=g, after=None) for g in before.groups if not after.group(g.group.key)
    ]
    return rows


def _changes(rows: list[Comparison], after: BoardPower) -> list[str]:
    """Plain sentences for what a group could do alone after the change and not before (or the reverse)."""
    result = []
    for row in rows:
        old, new, label = row.before, row.after, row.group.label
        for t in after.thresholds:
            was_block = bool(old and old.standings[t.key].can_block)
            now_block = bool(new and new.standings[t.key].can_block)
            was_pass = bool(old and old.standings[t.key].can_pass)
            now_pass = bool(new and new.standings[t.key].can_pass)
            if now_pass and not was_pass:
                result.append(
                    _("%(group)s could pass %(rule)s on its own.") % {"group": label, "rule": t.decisions}
                )
            elif now_block and not was_block and not now_pass:
                result.append(
                    _("%(group)s could block all %(rule)s on its own.")
                    % {"group": label, "rule": t.decisions}
                )
            elif was_block and not now_block:
                result.append(
                    _("%(group)s could no longer block %(rule)s on its own.")
                    % {"group": label, "rule": t.decisions}
                )
        if new and new.denies_quorum and not (old and old.denies_quorum):
            result.append(_("%(group)s could deny the board its quorum by staying away.") % {"group": label})
    return result


def what_if(*, scenario: Scenario, at: dt.datetime | None = None) -> WhatIf:
    """Today's board and the board under ``scenario``, compared. Reads only; writes nothing."""
    at = at or clock.now()
    before = board_power(at=at)
    board = _Board(board_composition(at=at), live_seats(at))
    rules = scenario.rule_set
    notes: list[str] = []
    if rules.pk != before.rules.pk:
        state = _("draft") if rules.is_draft else _("adopted")
        notes.append(
            _(
                "Rule set v%(version)s (%(state)s) instead of v%(current)s: its thresholds, quorum and per-group cap apply."
            )
            % {"version": rules.version, "state": state, "current": before.rules.version}
        )
    if scenario.board_size is not None:
        _resize(board, scenario.board_size, rules, notes)
    else:
        _follow_rules(board, rules, notes)
    if scenario.sponsor_class is not None:
        _admit_sponsor(board, scenario, scenario.sponsor_group or new_sponsor_group(), notes)
    if scenario.group is not None and scenario.group_seats is not None:
        _set_group_seats(board, scenario.group, scenario.group_seats, rules, notes)
    after = power_of(board.composition(), rules=rules, seats=board.seats, at=at)
    rows = _rows(before, after)
    return WhatIf(
        scenario=scenario,
        before=before,
        after=after,
        assumptions=notes,
        changes=_changes(rows, after),
        rows=rows,
    )
