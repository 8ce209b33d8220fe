"""The board's composition rules: one director per corporate group, and term limits.

Both are checked when a seat is filled (``board.seat_fill``), and before that wherever they
can be: at nomination and acceptance and in the count (elections), so a certification is
never refused by a rule that could have been checked earlier.

- **Groups.** A director declares an employer chosen from the list (a member organisation or
  a corporate group) or declares being independent; the rule counts directors per
  ``members.selectors.GroupIdentity`` (the top-level confirmed group, look-alike spellings
  counted as one until the membership committee tells them apart).
- **Terms.** ``board_consecutive_terms`` terms in a row, then a gap of
  ``board_term_gap_years``. A part of a term (a vacancy filled late, a resignation) counts
  as a full term only when more than ``board_partial_term_counts_above_percent`` of it was
  served (the reference rule set: more than half).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from core.models import RuleSet
from governance.models import Cohort, Seat, SeatHolding
from governance.selectors import holding_group
from governance.services.common import add_years
from members.models import CorporateGroup, Organisation
from members.selectors import group_index

Employer = Organisation | CorporateGroup


@dataclass(frozen=True)
class DeclaredEmployer:
    """A director's or candidate's employer as declared: from the list, or independent."""

    organisation: Organisation | None
    group: CorporateGroup | None
    independent: bool

    @property
    def label(self) -> str:
        if self.organisation is not None:
            return self.organisation.legal_name
        if self.group is not None:
            return self.group.name
        return ""


def check_declared_employer(employer: Employer | None, *, independent: bool = False) -> DeclaredEmployer:
    """An employer chosen from the list, or independence declared explicitly; never blank."""
    if independent and employer is not None:
        raise ValidationFailed(
            _("Declare an employer from the list or declare being independent, not both."),
            code="employer_and_independent",
            detail={"field": "employer"},
        )
    if isinstance(employer, Organisation):
        return DeclaredEmployer(employer, None, False)
    if isinstance(employer, CorporateGroup):
        return DeclaredEmployer(None, employer, False)
    if independent:
        return DeclaredEmployer(None, None, True)
    raise ValidationFailed(
        _(
            "Declare the employer: a member organisation or a corporate group chosen from the list, "
            "or declare being independent (shown publicly)."
        ),
        code="employer_required",
        detail={"field": "employer"},
    )


def _sitting(at: dt.datetime | None, excluding_cohort: Cohort | None = None) -> list[SeatHolding]:
    holdings = SeatHolding.objects.active(at).select_related("employer", "person")
    if excluding_cohort is not None:
        holdings = holdings.exclude(seat__cohort=excluding_cohort)
    return list(holdings)


def group_directors_in_office(
    *, at: dt.datetime | None = None, excluding_cohort: Cohort | None = None
) -> dict[str, int]:
    """Sitting directors per group key (``GroupIdentity.key``; independents are in no group).

    For the count of an election: pass the cohort being elected to leave out the seats
    that election fills; everyone else keeps counting toward the group limit.
    """
    index = group_index()
    counts: dict[str, int] = defaultdict(int)
    for holding in _sitting(at, excluding_cohort):
        identity = holding_group(holding, index=index)
        if identity is not None:
            counts[identity.key] += 1
    return dict(counts)


def check_group_cap(
    *,
    person: Any,
    employer: DeclaredEmployer,
    rules: RuleSet,
    at: dt.datetime,
    excluding: SeatHolding | None = None,
) -> None:
    """Refuse when the declared employer's group already has the most directors the rules allow."""
    if employer.independent:
        return
    index = group_index()
    identity = index.of_employer(
        organisation=employer.organisation, group_id=employer.group.pk if employer.group else None
    )
    if identity is None:
        return
    sitting = []
    for holding in _sitting(at):
        found = holding_group(holding, index=index)
        if (
            found is not None
            and found.key == identity.key
            and (excluding is None or holding.pk != excluding.pk)
        ):
            sitting.append(holding)
    if len(sitting) >= rules.board_max_per_group:
        raise Conflict(
            _(
                "%(person)s cannot sit for %(org)s: its group (%(group)s) already has %(count)s director(s) "
                "(%(names)s), the most the rules allow."
            )
            % {
                "person": person,
                "org": employer.label,
                "group": identity.label,
                "count": len(sitting),
                "names": ", ".join(str(h.person) for h in sitting),
            },
            code="group_has_director",
            detail={"group": identity.key, "limit": rules.board_max_per_group},
        )


def _day(value: dt.date) -> str:
    return date_format(value, "Y-m-d")


def _counts_as_full(served_days: int, term: tuple[dt.date, dt.date], rules: RuleSet) -> bool:
    """A term counts when fully served, or when more than the rule set's share of it was."""
    length = max((term[1] - term[0]).days, 1)
    if served_days >= length:
        return True
    return served_days * 100 > rules.board_partial_term_counts_above_percent * length


def consecutive_terms(*, person: Any, at: dt.datetime, rules: RuleSet) -> list[tuple[dt.date, dt.date]]:
    """The terms ``person`` served back to back up to ``at`` that count toward the limit.

    Walking back from ``at``, a holding belongs to the run when it ended less than the
    rule's gap before the next one (or ``at``) began. A holding still running is counted to
    its term's end (what it will be when the next term starts). Each term of the run counts
    if enough of it was served (``_counts_as_full``); newest first.
    """
    served: dict[tuple[dt.date, dt.date], int] = defaultdict(int)
    order: list[tuple[dt.date, dt.date]] = []
    boundary = at.date()
    for holding in SeatHolding.objects.filter(person=person, starts_at__lt=at).order_by("-starts_at"):
        served_end = min(holding.ends_at.date(), holding.term_end) if holding.ends_at else holding.term_end
        if add_years(served_end, rules.board_term_gap_years) <= boundary:
            break
        term = (holding.term_start, holding.term_end)
        if term not in served:
            order.append(term)
        served_start = max(holding.starts_at.date(), holding.term_start)
        served[term] += max((served_end - served_start).days, 0)
        boundary = holding.starts_at.date()
    return [term for term in order if _counts_as_full(served[term], term, rules)]


def check_term_limit(*, person: Any, at: dt.datetime, rules: RuleSet) -> None:
    """Refuse, with the reason, when ``person`` would exceed the consecutive-term limit by sitting at ``at``."""
    served = consecutive_terms(person=person, at=at, rules=rules)
    if len(served) >= rules.board_consecutive_terms:
        raise Conflict(
            _(
                "%(person)s cannot take a seat: they have served %(count)s consecutive terms (the last ending "
                "%(end)s) and must stay off the board for %(gap)s year(s) first."
            )
            % {
                "person": person,
                "count": len(served),
                "end": _day(served[0][1]),
                "gap": rules.board_term_gap_years,
            },
            code="term_limit",
            detail={"terms": len(served), "limit": rules.board_consecutive_terms},
        )


def check_can_hold_seat(
    *,
    seat: Seat,
    person: Any,
    employer: Employer | DeclaredEmployer | None,
    rules: RuleSet,
    at: dt.datetime,
    independent: bool = False,
) -> None:
    """Raise a ``Conflict`` explaining why ``person`` may not take ``seat`` now."""
    declared = (
        employer
        if isinstance(employer, DeclaredEmployer)
        else check_declared_employer(employer, independent=independent)
    )
    if seat.abolished_at is not None:
        raise Conflict(_("%(seat)s was abolished.") % {"seat": seat}, code="seat_abolished")
    holder = SeatHolding.objects.active(at).filter(seat=seat).select_related("person").first()
    if holder is not None:
        raise Conflict(
            _("%(person)s cannot take %(seat)s: %(holder)s holds it.")
            % {"person": person, "seat": seat, "holder": holder.person},
            code="seat_occupied",
        )
    current = SeatHolding.objects.active(at).filter(person=person).select_related("seat").first()
    if current is not None:
        raise Conflict(
            _("%(person)s cannot take %(seat)s: they already hold %(other)s.")
            % {"person": person, "seat": seat, "other": current.seat},
            code="already_director",
        )
    check_group_cap(person=person, employer=declared, rules=rules, at=at)
    check_term_limit(person=person, at=at, rules=rules)
