"""Electoral weight: how much of an election's roll each group holds, and whether that wins a seat.

The rolls belong to the elections app, above this one: it registers a source of frozen
rolls here in ``ElectionsConfig.ready()`` (``elections/control.py``), so governance reads
them without importing elections. Which rows belong to which group is
``governance/control_groups.roll_groups``'s business.

For each election: each group's share of the roll's total weight, and the smallest share
of the votes that guarantees a seat under the election's method and number of seats
(for STV, the Droop quota: more than 1/(seats + 1) of the first preferences), so readers
see whether a group can win a seat on its own votes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext as _

from core import clock
from governance.control_groups import GroupWeight, roll_groups

STV_METHODS = frozenset({"meek", "scottish", "wigm", "irv"})


@dataclass(frozen=True)
class RollSummary:
    """One election's frozen roll, as the elections app hands it over."""

    slug: str
    title: str
    url: str
    method: str
    method_label: str
    state_label: str
    seats: int
    approval_max_marks: int | None
    frozen_at: dt.datetime
    total_weight: int
    rows: list[tuple[str, str, int]]  # (member number, subject type, weight): the rows groups may hold
    #: The rule set's minimum group size: individuals count for a group only from this many.
    min_group_size: int = 5


#: ``source(at=, limit=)``: the ``limit`` latest elections whose roll was frozen by ``at``.
RollSource = Callable[..., list[RollSummary]]
_SOURCES: list[RollSource] = []


def register_frozen_rolls(source: RollSource) -> None:
    """Register the elections app's source of frozen rolls (once, from ``AppConfig.ready()``)."""
    _SOURCES[:] = [source]


@dataclass(frozen=True)
class Guarantee:
    """More than ``share`` of the votes guarantees a seat; ``rule`` says why."""

    share: Fraction
    rule: str


def seat_guarantee(method: str, seats: int, approval_max_marks: int | None = None) -> Guarantee | None:
    """The smallest share of the votes (strictly more than it) that guarantees a group one seat.

    - STV (Meek, Scottish, WIGM) and instant runoff: the Droop quota, 1/(seats + 1) of the
      first preferences; a candidate above it is elected whatever the other ballots say.
    - Plurality: each ballot counts for its first choice only, so the same 1/(seats + 1)
      puts a candidate among the ``seats`` highest totals.
    - Approval with up to ``m`` marks (``m`` capped at the seats; no limit means ``seats``):
      the others can give ``m`` rivals each their full weight, so more than m/(seats + m)
      is needed; with ``m`` ≥ seats that is one half.
    - Schulze: the top of the Schulze ranking is elected; a majority that ranks its
      candidate first makes it beat every rival, anything less can be outranked: one half.
    """
    if seats <= 0:
        return None
    if method in STV_METHODS:
        return Guarantee(
            Fraction(1, seats + 1),
            _(
                "The Droop quota: more than 1/%(d)s of the first preferences elects a candidate, whatever the other ballots say."
            )
            % {"d": seats + 1},
        )
    if method == "plurality":
        return Guarantee(
            Fraction(1, seats + 1),
            _(
                "Plurality counts each ballot for its first choice only: more than 1/%(d)s of the weight for one candidate puts it among the %(seats)s highest totals (the Droop quota's share)."
            )
            % {"d": seats + 1, "seats": seats},
        )
    if method == "approval":
        marks = min(approval_max_marks or seats, seats)
        return Guarantee(
            Fraction(marks, seats + marks),
            _(
                "Approval with up to %(marks)s mark(s) per ballot: the other voters can approve %(marks)s rival(s) each with their full weight, so more than %(marks)s/%(d)s of the weight is needed to be sure of a place among the %(seats)s highest (no Droop quota applies)."
            )
            % {"marks": marks, "d": seats + marks, "seats": seats},
        )
    if method == "schulze":
        return Guarantee(
            Fraction(1, 2),
            _(
                "Schulze elects the top of its ranking: a majority ranking its candidate first guarantees a seat; with less, the others can rank rivals above it (no Droop quota applies)."
            ),
        )
    return None


@dataclass
class GroupShare:
    weight: GroupWeight
    share: Fraction
    wins_alone: bool


@dataclass
class ElectionWeight:
    roll: RollSummary
    guarantee: Guarantee | None
    groups: list[GroupShare]
    unattributed: int  # weight of rows in no group (individual members, for now)


def election_weights(*, at: dt.datetime | None = None, limit: int = 5) -> list[ElectionWeight]:
    """Electoral weight per group on the ``limit`` latest rolls frozen by ``at``, newest first."""
    if not _SOURCES:
        return []
    result = []
    for roll in _SOURCES[0](at=at or clock.now(), limit=limit):
        guarantee = seat_guarantee(roll.method, roll.seats, roll.approval_max_marks)
        total = roll.total_weight
        groups = [
            GroupShare(
                weight=g,
                share=Fraction(g.weight, total) if total else Fraction(0),
                wins_alone=bool(total)
                and guarantee is not None
                and Fraction(g.weight, total) > guarantee.share,
            )
            for g in roll_groups(roll.rows, min_individuals=roll.min_group_size)
        ]
        result.append(
            ElectionWeight(
                roll=roll,
                guarantee=guarantee,
                groups=groups,
                unattributed=total - sum(g.weight.weight for g in groups),
            )
        )
    return result
