"""Reads for the transparency pages: each answers in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from core import clock
from core.models import Role, RoleAssignment, RuleSet, User
from core.rules import rules_in_force
from governance.directors_elect import DirectorElect, directors_elect
from governance.models import (
    Cohort,
    Committee,
    CommitteeMembership,
    ConflictDeclaration,
    Decision,
    Minutes,
    MinutesStatus,
    Seat,
    SeatHolding,
)
from members.models import Membership, MembershipClass, MembershipEvent, MembershipState
from members.rights import voting_rights_bulk
from members.selectors import GroupIdentity, GroupIndex, group_index

OFFICER_ROLES = (Role.CHAIR, Role.SECRETARY, Role.TREASURER)
COUNTED_STATES = (MembershipState.ACTIVE, MembershipState.GRACE)


@dataclass
class BoardToday:
    rules: RuleSet
    seats: list[Any]  # seats with ``current`` (their holding now, if any)
    cohorts: list[Cohort]
    officers: list[RoleAssignment]
    in_office: int
    vacancies: int
    below_normal: bool
    missing_declarations: list[Any]
    declared: set[int] = field(default_factory=set)
    #: Elected and certified, taking office when their cohort's term ends (each seat's ``elect``).
    directors_elect: list[DirectorElect] = field(default_factory=list)


def board_today(*, at: dt.datetime | None = None) -> BoardToday:
    """Seats with their current holders (and anyone elected to take them later), officers, and
    who owes a conflict declaration."""
    at = at or clock.now()
    rules = rules_in_force(at=at)
    current = SeatHolding.objects.active(at).select_related("person", "employer")
    seats = list(
        Seat.objects.filter(abolished_at__isnull=True)
        .select_related("cohort")
        .prefetch_related(Prefetch("holdings", queryset=current, to_attr="current"))
        .order_by("cohort__code", "number")
    )
    officers = list(
        RoleAssignment.objects.active(at)
        .filter(role__in=OFFICER_ROLES)
        .select_related("user")
        .order_by("role")
    )
    directors = [s.current[0].person for s in seats if s.current]
    since = at - dt.timedelta(days=rules.conflict_declaration_days)
    declared = set(
        ConflictDeclaration.objects.filter(
            person__in=[d.pk for d in directors], filed_at__gt=since, filed_at__lte=at
        ).values_list("person_id", flat=True)
    )
    elect = directors_elect()
    by_seat = {d.seat_number: d for d in elect}
    for seat in seats:
        seat.elect = by_seat.get(seat.number)  # type: ignore[attr-defined]
    return BoardToday(
        directors_elect=elect,
        rules=rules,
        seats=seats,
        cohorts=list(Cohort.objects.order_by("code")),
        officers=officers,
        in_office=len(directors),
        vacancies=sum(1 for s in seats if not s.current),
        below_normal=len(directors) < rules.board_normal_min_size,
        missing_declarations=[d for d in directors if d.pk not in declared],
        declared=declared,
    )


def board_history() -> QuerySet[SeatHolding]:
    return SeatHolding.objects.select_related("seat__cohort", "person", "employer", "decision").order_by(
        "-starts_at", "seat__number"
    )


def officer_history() -> QuerySet[RoleAssignment]:
    """Every period anyone held an office (chair, secretary, treasurer), newest first."""
    return RoleAssignment.objects.filter(role__in=OFFICER_ROLES).select_related("user").order_by("-starts_at")


# --- Charts: composition over time, weight shares ------------------------------------


@dataclass
class Series:
    """Counts per category at a list of moments: the data behind a stacked bar chart."""

    labels: list[str]
    categories: list[str]
    values: list[dict[str, float]]  # one dict per label


def holding_group(holding: SeatHolding, *, index: GroupIndex | None = None) -> GroupIdentity | None:
    """The company a director sits for (``None``: independent, or a legacy holding with no employer)."""
    if holding.independent:
        return None
    if holding.employer_id is None and holding.employer_group_id is None:
        return None
    index = index or group_index()
    return index.of_employer(organisation=holding.employer, group_id=holding.employer_group_id)


def _class_names(rules: RuleSet) -> dict[str, str]:
    return dict(MembershipClass.objects.filter(rule_set=rules).values_list("code", "name"))


def board_composition(*, at: dt.datetime | None = None, points: int = 8) -> tuple[Series, Series]:
    """Directors by employer's membership class and by affiliation, at each year start and now."""
    at = at or clock.now()
    rules = rules_in_force(at=at)
    names = _class_names(rules)
    holdings = list(SeatHolding.objects.filter(starts_at__lte=at).select_related("employer"))
    employer_ids = {h.employer_id for h in holdings if h.employer_id}
    org_class = dict(
        Membership.objects.filter(organisation_id__in=employer_ids).values_list(
            "organisation_id", "class_code"
        )
    )
    first = min((h.starts_at for h in holdings), default=at)
    moments = [dt.datetime(y, 1, 1, tzinfo=dt.UTC) for y in range(first.year + 1, at.year + 1)]
    moments = [*moments[-(points - 1) :], at] if points > 1 else [at]
    no_employer = _("No employer")
    independent = _("Independent")
    index = group_index()
    by_class: list[dict[str, float]] = []
    by_group: list[dict[str, float]] = []
    for moment in moments:
        live = [h for h in holdings if h.starts_at <= moment and (h.ends_at is None or h.ends_at > moment)]
        classes: Counter[str] = Counter()
        groups: Counter[str] = Counter()
        for h in live:
            identity = holding_group(h, index=index)
            if h.employer is None:
                classes[independent if h.independent else no_employer] += 1
            else:
                code = org_class.get(h.employer_id or 0, "")
                classes[names.get(code, _("Not a member"))] += 1
            if identity is None:
                groups[independent if h.independent else no_employer] += 1
            else:
                groups[identity.label] += 1
        by_class.append(dict(classes))
        by_group.append(dict(groups))
    labels = [m.strftime("%Y-%m-%d") for m in moments]
    return (
        Series(labels, _categories(by_class), by_class),
        Series(labels, _categories(by_group), by_group),
    )


def _categories(values: list[dict[str, float]]) -> list[str]:
    totals: Counter[str] = Counter()
    for row in values:
        totals.update(row)
    return [name for name, _n in totals.most_common()]


@dataclass
class WeightShares:
    total: int
    by_class: list[tuple[str, int, float]]
    largest_org: tuple[str, int, float] | None


def weight_shares(*, at: dt.datetime | None = None) -> WeightShares:
    """The share of total voting weight held by each class and by the largest organisation."""
    rights = [r for r in voting_rights_bulk(at=at) if r.eligible]
    total = sum(r.weight for r in rights)
    per_class: Counter[str] = Counter()
    per_org: Counter[str] = Counter()
    for r in rights:
        per_class[r.class_name or r.class_code] += r.weight
        if r.subject_type == "organisation":
            per_org[r.name] += r.weight

    def share(w: int) -> float:
        return round(100.0 * w / total, 1) if total else 0.0

    largest = per_org.most_common(1)
    return WeightShares(
        total=total,
        by_class=[(name, w, share(w)) for name, w in per_class.most_common()],
        largest_org=(largest[0][0], largest[0][1], share(largest[0][1])) if largest else None,
    )


# --- Archives: minutes and decisions --------------------------------------------------


def search(queryset: QuerySet[Any], q: str) -> QuerySet[Any]:
    """Full-text search on PostgreSQL, a substring match elsewhere (SQLite in development)."""
    q = q.strip()
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.annotate(search_vector=SearchVector("search_text")).filter(
            search_vector=SearchQuery(q, search_type="websearch")
        )
    return queryset.filter(search_text__icontains=q)


def published_minutes(*, q: str = "", year: int | None = None) -> QuerySet[Minutes]:
    qs = Minutes.objects.filter(status=MinutesStatus.PUBLISHED).select_related("meeting").order_by("-number")
    if year:
        qs = qs.filter(meeting__scheduled_at__year=year)
    return search(qs, q)


def decisions_register(
    *, q: str = "", year: int | None = None, kind: str = "", outcome: str = "", director: str = ""
) -> QuerySet[Decision]:
    qs = Decision.objects.select_related("meeting").order_by("-number")
    if year:
        qs = qs.filter(decided_at__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if director:
        qs = qs.filter(votes__director__public_id=director)
    return search(qs, q)


def register_directors() -> list[Any]:
    """Everyone who ever held a seat: the decisions register's director filter."""
    return list(User.objects.filter(seat_holdings__isnull=False).distinct().order_by("full_name", "email"))


def archive_years(model: type[Minutes] | type[Decision]) -> list[int]:
    if model is Minutes:
        dates: QuerySet[Any, dt.date] = Minutes.objects.filter(status=MinutesStatus.PUBLISHED).dates(
            "meeting__scheduled_at", "year"
        )
    else:
        dates = Decision.objects.dates("decided_at", "year")
    return sorted((d.year for d in dates), reverse=True)


# --- Policies -------------------------------------------------------------------------


@dataclass
class DiffRow:
    kind: str  # "same", "added", "removed", "changed"
    old_no: int | None
    old: str
    new_no: int | None
    new: str


def text_diff(old: str, new: str) -> list[DiffRow]:
    """A line diff (difflib) as rows for an accessible two-column table."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffRow("same", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]) for k in range(i2 - i1)]
        elif tag == "delete":
            rows += [DiffRow("removed", i + 1, a[i], None, "") for i in range(i1, i2)]
        elif tag == "insert":
            rows += [DiffRow("added", None, "", j + 1, b[j]) for j in range(j1, j2)]
        else:
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                rows.append(
                    DiffRow(
                        "changed",
                        i + 1 if i < i2 else None,
                        a[i] if i < i2 else "",
                        j + 1 if j < j2 else None,
                        b[j] if j < j2 else "",
                    )
                )
    return rows


# --- Rule sets, committees, membership statistics -------------------------------------

RULE_FIELDS_HIDDEN = {"id", "version", "name", "effective_from", "adopted_by", "notes", "created_at"}


def rule_set_history() -> list[tuple[RuleSet, list[tuple[str, Any]]]]:
    """Every adopted version with its fields (label, value) and classes (prefetched); drafts stay
    on the board's pages until adopted."""
    fields = [f for f in RuleSet._meta.concrete_fields if f.name not in RULE_FIELDS_HIDDEN]
    versions = (
        RuleSet.objects.filter(effective_from__isnull=False)
        .prefetch_related("membership_classes")
        .order_by("-version")
    )
    result = []
    for rule_set in versions:
        values = []
        for f in fields:
            value = getattr(rule_set, f.name)
            if f.choices:
                value = getattr(rule_set, f"get_{f.name}_display")()
            elif isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            values.append((str(f.verbose_name), value))
        result.append((rule_set, values))
    return result


def committees_today(*, at: dt.datetime | None = None) -> list[Committee]:
    at = at or clock.now()
    current = (
        CommitteeMembership.objects.active(at)
        .select_related("person")
        .order_by("-is_chair", "person__full_name")
    )
    return list(
        Committee.objects.prefetch_related(Prefetch("memberships", queryset=current, to_attr="current"))
    )


def month_ends(at: dt.datetime, months: int) -> list[dt.datetime]:
    """The last ``months`` month ends up to ``at`` (the current month ends at ``at``)."""
    first_of_month = at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    ends = [first_of_month - relativedelta(months=k) for k in range(months - 1)]
    return sorted([at, *ends])[-months:]


def members_by_class_monthly(*, at: dt.datetime | None = None, months: int = 12) -> Series:
    """Members (active or in grace) per class at each month end, from the membership history.

    Two queries whatever the history's size: the rule set's class names, then every
    event up to ``at`` in membership order; each membership's state at each month end
    is its latest event by then.
    """
    at = at or clock.now()
    rules = rules_in_force(at=at)
    names = _class_names(rules)
    moments = month_ends(at, months)
    counts: list[dict[str, float]] = [defaultdict(float) for _m in moments]
    events = (
        MembershipEvent.objects.filter(at__lte=at)
        .order_by("membership_id", "at", "id")
        .values_list("membership_id", "at", "state", "class_code")
    )

    def tally(history: list[tuple[dt.datetime, str, str]]) -> None:
        index = 0
        latest: tuple[dt.datetime, str, str] | None = None
        for i, moment in enumerate(moments):
            while index < len(history) and history[index][0] <= moment:
                latest = history[index]
                index += 1
            if latest is not None and latest[1] in COUNTED_STATES:
                counts[i][names.get(latest[2], latest[2])] += 1

    current_id: int | None = None
    history: list[tuple[dt.datetime, str, str]] = []
    for membership_id, event_at, state, class_code in events.iterator(chunk_size=5000):
        if membership_id != current_id:
            if history:
                tally(history)
            current_id, history = membership_id, []
        history.append((event_at, state, class_code))
    if history:
        tally(history)
    values = [dict(c) for c in counts]
    ordered = [n for n in names.values() if any(n in v for v in values)]
    extra = [c for c in _categories(values) if c not in ordered]
    return Series([m.strftime("%Y-%m-%d") for m in moments], ordered + extra, values)
