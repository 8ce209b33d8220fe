"""Who belongs to which group: the only place that says how directors and voters are grouped.

Everything else about control (``governance/control.py``, ``governance/what_if.py``, the
page, the API) sees groups only as :class:`Affiliation` values with an opaque ``key``, so
how groups are identified can change here alone.

A group is what the anti-capture rule compares: the corporate group the membership
committee confirmed (``members.selectors.group_index``; unconfirmed look-alikes count as
one until merged). A director who sits as an independent, or whose seat holding names no
employer, is a group of one. On an
election's roll, organisations count for their group; individual members belong to no
group yet (they will once members may declare an employer group and opt in; aggregates
of individuals must then respect the rule set's minimum group size).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from core import clock
from core.rules import rules_in_force
from governance.models import SeatHolding
from governance.selectors import holding_group as holding_identity
from members.models import Membership, MembershipClass, MembershipState, Organisation
from members.selectors import GroupIndex, group_index

#: ``select_related`` for seat holdings whose group is read (one query for a whole board).
HOLDING_RELATED = ("person", "employer")
#: Roll subject types that can belong to a group (rows of other types are left unattributed).
ROLL_SUBJECT_TYPES = ("organisation", "individual")

GROUP = "group"
INDEPENDENT = "independent"


@dataclass(frozen=True)
class Affiliation:
    """A group as the control figures see it: an opaque key, a label and its kind."""

    key: str
    label: str
    kind: str  # GROUP (a corporate group) or INDEPENDENT (a director on their own)

    @property
    def is_independent(self) -> bool:
        return self.kind == INDEPENDENT


def named(a: Affiliation, b: Affiliation) -> Affiliation:
    """Of two spellings of one group, the one that names it (the first in sort order), so
    the label does not depend on which organisation or director was read first."""
    return min(a, b, key=lambda g: (g.label, g.kind))


def organisation_group(organisation: Organisation, *, index: GroupIndex | None = None) -> Affiliation:
    """The corporate group an organisation belongs to (itself when it has none)."""
    identity = (index or group_index()).of_organisation(organisation)
    return Affiliation(key=identity.key, label=identity.label, kind=GROUP)


def holding_group(holding: SeatHolding, *, index: GroupIndex | None = None) -> Affiliation:
    """The group a director sits for: their employer's, or their own as an independent.

    Reads ``holding.employer`` and ``holding.person``: load holdings with
    ``select_related(*HOLDING_RELATED)``.
    """
    identity = holding_identity(holding, index=index)
    if identity is not None:
        return Affiliation(key=identity.key, label=identity.label, kind=GROUP)
    person = holding.person
    return Affiliation(
        key=f"independent:{person.public_id}",
        label=_("%(name)s (independent)") % {"name": person.public_name},
        kind=INDEPENDENT,
    )


def holding_groups(holdings: Iterable[SeatHolding]) -> list[Affiliation]:
    """:func:`holding_group` for many holdings at once (what every caller uses: a source of
    groups that must be loaded first is loaded here once, not once per holding)."""
    index = group_index()
    return [holding_group(holding, index=index) for holding in holdings]


def board_groups(*, at: dt.datetime | None = None) -> list[tuple[SeatHolding, Affiliation]]:
    """Every director in office at ``at`` with the group they count for (one query)."""
    holdings = list(
        SeatHolding.objects.active(at or clock.now())
        .select_related(*HOLDING_RELATED)
        .order_by("seat__number")
    )
    return list(zip(holdings, holding_groups(holdings), strict=True))


def group_choices(*, at: dt.datetime | None = None) -> list[Affiliation]:
    """Groups a what-if scenario may name: those of sitting member organisations and of the board."""
    at = at or clock.now()
    found: dict[str, Affiliation] = {}
    organisations = Organisation.objects.filter(
        memberships__state__in=(MembershipState.ACTIVE, MembershipState.GRACE)
    ).order_by("legal_name")
    index = group_index()
    for organisation in organisations:
        group = organisation_group(organisation, index=index)
        found[group.key] = named(found.get(group.key, group), group)
    for _holding, group in board_groups(at=at):
        if not group.is_independent:
            found[group.key] = named(found.get(group.key, group), group)
    return sorted(found.values(), key=lambda g: g.label.casefold())


def sponsor_groups(*, at: dt.datetime | None = None) -> list[Affiliation]:
    """Groups of sitting members whose class requires board seats (the Platinum sponsors)."""
    rules = rules_in_force(at=at)
    codes = MembershipClass.objects.filter(rule_set=rules, board_seats_per_member__gt=0).values("code")
    memberships = Membership.objects.filter(
        organisation__isnull=False,
        class_code__in=codes,
        state__in=(MembershipState.ACTIVE, MembershipState.GRACE),
    ).select_related("organisation")
    found: dict[str, Affiliation] = {}
    index = group_index()
    for membership in memberships.order_by("organisation__legal_name"):
        if membership.organisation is not None:
            group = organisation_group(membership.organisation, index=index)
            found[group.key] = named(found.get(group.key, group), group)
    return list(found.values())


@dataclass
class GroupWeight:
    """A group's weight on one roll and who contributes it."""

    group: Affiliation
    weight: int = 0
    organisations: list[str] = field(default_factory=list)
    individuals: int = 0


def roll_groups(rows: Iterable[tuple[str, str, int]], *, min_individuals: int = 1) -> list[GroupWeight]:
    """Weight per group on a roll, from its rows ``(member_number, subject_type, weight)``.

    Organisations count for their group. An individual counts for the employer group they
    declared only if they chose to make it public, and only in a group where at least
    ``min_individuals`` such individuals stand (the rule set's minimum group size), so no
    figure reveals one person's employer. Everything else stays in the roll's total but in
    no group. Two queries.
    """
    weights: dict[str, int] = {}
    for number, subject_type, weight in rows:
        if subject_type in ROLL_SUBJECT_TYPES:
            weights[number] = weights.get(number, 0) + int(weight)
    memberships = Membership.objects.filter(number__in=list(weights)).filter(
        Q(organisation__isnull=False) | Q(employer_group__isnull=False, employer_group_public=True)
    )
    groups: dict[str, GroupWeight] = {}
    people: dict[str, list[int]] = {}
    index = group_index()
    for membership in memberships.select_related("organisation").order_by("number"):
        organisation = membership.organisation
        if organisation is None:
            if membership.employer_group_id is not None:
                identity = index.of_group(membership.employer_group_id)
                group = Affiliation(key=identity.key, label=identity.label, kind=GROUP)
                people.setdefault(group.key, []).append(weights[membership.number])
                groups.setdefault(group.key, GroupWeight(group=group))
            continue
        group = organisation_group(organisation, index=index)
        entry = groups.setdefault(group.key, GroupWeight(group=group))
        entry.group = named(entry.group, group)
        entry.weight += weights[membership.number]
        entry.organisations.append(organisation.legal_name)
    for key, individual_weights in people.items():
        if len(individual_weights) >= max(min_individuals, 1):
            groups[key].weight += sum(individual_weights)
            groups[key].individuals = len(individual_weights)
    kept = [g for g in groups.values() if g.weight > 0]
    return sorted(kept, key=lambda g: (-g.weight, g.group.label.casefold()))
