"""Reads that need joins, annotations or several queries: the member's dashboard, the
public directory, the committee's member list and who was not reached.

List reads run a constant number of queries whatever the number of members (tests pin it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils.translation import gettext_lazy

from core import clock
from core.models import OutgoingEmail
from core.rules import rules_in_force
from members.models import (
    CorporateGroup,
    Membership,
    MembershipClass,
    MembershipState,
    Organisation,
    Reminder,
)
from members.rights import Snapshot, VotingRights, current_snapshot, voting_rights

S = MembershipState
# States in which a member is listed in the public directory.
LIVE_STATES = (S.ACTIVE, S.GRACE)
# States in which the committee wants to know a member was not reached.
NOT_REACHED_STATES = (S.ACTIVE, S.GRACE, S.LAPSED)


# --- The member's dashboard ------------------------------------------------------------------


@dataclass
class MemberDashboard:
    membership: Membership | None
    rights: VotingRights | None
    organisations: list[tuple[Organisation, VotingRights]] = field(default_factory=list)
    open_reminders: list[Reminder] = field(default_factory=list)
    applications: list[Any] = field(default_factory=list)


def reminder_is_current(*, term_expires_at: dt.datetime, snapshot: Snapshot | None) -> bool:
    """A reminder still asks for action: its term is the one the membership's standing (the
    snapshot the voting-rights API reads) ends with, and the membership has not ended. Once
    dues are paid (through billing or a renewal) the standing runs to the new expiry and the
    old term's reminder is no longer shown, whether or not a job closed it yet."""
    return (
        snapshot is not None
        and snapshot.state != MembershipState.ENDED
        and snapshot.expires_at is not None
        and snapshot.expires_at == term_expires_at
    )


def open_reminders(*, memberships: list[Membership], at: dt.datetime | None = None) -> list[Reminder]:
    """Undismissed reminders of ``memberships`` that are still current (see above): one per
    membership and term, the nearest (smallest offset), however many were sent for it."""
    if not memberships:
        return []
    at = at or clock.now()
    snapshots = {m.pk: current_snapshot(membership=m, at=at) for m in memberships}
    reminders = Reminder.objects.filter(membership__in=memberships, dismissed_at__isnull=True).select_related(
        "membership__organisation", "membership__user"
    )
    shown: dict[tuple[int, dt.datetime], Reminder] = {}
    for r in reminders.order_by("term_expires_at", "offset_days", "pk"):
        if reminder_is_current(term_expires_at=r.term_expires_at, snapshot=snapshots.get(r.membership_id)):
            # The banner's tense: "expires on" before the term ends, "expired on" in grace.
            r.expired = r.term_expires_at <= at  # type: ignore[attr-defined]
            shown.setdefault((r.membership_id, r.term_expires_at), r)
    return list(shown.values())


def member_dashboard(*, user: Any) -> MemberDashboard:
    membership = Membership.objects.filter(user=user).first()
    rights = voting_rights(subject=membership) if membership else None
    orgs = Organisation.objects.filter(Q(representative=user) | Q(alternate=user) | Q(admins=user)).distinct()
    organisations = [(org, voting_rights(subject=org)) for org in orgs]
    # Banners read their term from the same standing as the voting-rights answer: a reminder
    # of a term already paid (e.g. through billing) is not shown, even before a job closes it.
    reminders = open_reminders(
        memberships=[m for m in [membership] if m] + list(Membership.objects.filter(organisation__in=orgs))
    )
    applications = list(user.membership_applications.order_by("-submitted_at")[:5])
    return MemberDashboard(membership, rights, organisations, reminders, applications)


def class_names() -> dict[str, str]:
    """Each class code's name, as the newest rule set defining it calls it (for pages that
    group by a stored code: treasury rows, turnout by class)."""
    rows = MembershipClass.objects.order_by("rule_set_id", "pk").values_list("code", "name")
    return dict(rows)


# --- The public directory ----------------------------------------------------------------


def directory_queryset(*, classes_rule_set: Any, q: str = "") -> QuerySet[Membership]:
    """Live members who chose to be listed, ordered by class position, then name.

    Individuals opt in on their membership; organisations through their profile. An
    individual without a full name is not listed: the email address is never shown.
    """
    position = MembershipClass.objects.filter(rule_set=classes_rule_set, code=OuterRef("class_code"))
    listed_people = Q(user__isnull=False, in_directory=True) & ~Q(user__full_name="")
    listed_orgs = Q(organisation__isnull=False, organisation__in_directory=True)
    qs = (
        Membership.objects.filter(state__in=LIVE_STATES)
        .filter(listed_people | listed_orgs)
        .annotate(
            # A person is listed (keyed on the full name) under their public display name if set.
            display_name=Coalesce(
                "organisation__legal_name", NullIf("user__display_name", Value("")), "user__full_name"
            ),
            class_position=Subquery(position.values("position")[:1]),
        )
        .select_related("organisation", "employer_group")
    )
    if q:
        qs = qs.filter(display_name__icontains=q)
    return qs.order_by("class_position", "class_code", Lower("display_name"), "number")


# --- The committee's member list ------------------------------------------------------------


def member_queryset(*, filters: dict[str, Any], at: dt.datetime) -> QuerySet[Membership]:
    """The member list, filtered; annotated with reach (see ``memberships_with_reach``)."""
    qs = memberships_with_reach(
        Membership.objects.select_related("user", "organisation__representative"), at=at
    )
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(user__full_name__icontains=q)
            | Q(user__email__icontains=q)
            | Q(organisation__legal_name__icontains=q)
            | Q(organisation__representative__email__icontains=q)
            | Q(organisation__billing_contact_email__icontains=q)
        )
    if filters.get("class_code"):
        qs = qs.filter(class_code=filters["class_code"])
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("expiring_within") is not None:
        qs = qs.filter(
            state__in=(S.ACTIVE, S.GRACE),
            expires_at__gt=at,
            expires_at__lte=at + dt.timedelta(days=filters["expiring_within"]),
        )
    if filters.get("not_reached"):
        qs = qs.filter(Q(is_not_reached=True))
    return qs.order_by("number")


def member_email(membership: Membership) -> str:
    org = membership.organisation if membership.organisation_id else None
    if org is not None:
        representative = org.representative
        return representative.email if representative else org.billing_contact_email
    user = membership.user
    return user.email if user else ""


# --- Who was not reached ---------------------------------------------------------------


@dataclass(frozen=True)
class NotReachedReason:
    code: str  # "refused", "bounced" or "no_action"
    label: str
    at: dt.datetime | None
    detail: str = ""


NOT_REACHED_LABELS = {
    "refused": gettext_lazy("The mail server refused the last reminder."),
    "bounced": gettext_lazy("The last reminder bounced."),
    "no_action": gettext_lazy("No renewal and no response since the last reminder."),
}


def memberships_with_reach(
    queryset: QuerySet[Membership] | None = None, *, at: dt.datetime | None = None
) -> QuerySet[Membership]:
    """Annotate each membership with its current term's latest reminder, that reminder's
    email, and ``is_not_reached`` (filter on it; ``not_reached_reason`` says why)."""
    latest = Reminder.objects.filter(
        membership=OuterRef("pk"), term_expires_at=OuterRef("expires_at")
    ).order_by("-sent_at", "-id")
    scope = queryset if queryset is not None else Membership.objects.all()
    return scope.annotate(
        last_reminder_at=Subquery(latest.values("sent_at")[:1]),
        last_reminder_dismissed_at=Subquery(latest.values("dismissed_at")[:1]),
        last_email_status=Subquery(latest.values("email__status")[:1]),
        last_email_sent_at=Subquery(latest.values("email__sent_at")[:1]),
        last_email_bounced_at=Subquery(latest.values("email__bounced_at")[:1]),
        last_email_error=Subquery(latest.values("email__error")[:1]),
    ).annotate(
        is_not_reached=Case(
            When(not_reached_filter(at=at), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def not_reached_filter(*, at: dt.datetime | None = None) -> Q:
    """The condition on the annotated rows for "not reached"."""
    at = at or clock.now()
    cutoff = at - dt.timedelta(days=rules_in_force(at=at).not_reached_after_days)
    return Q(state__in=NOT_REACHED_STATES) & (
        Q(last_email_status__in=[OutgoingEmail.Status.REFUSED, OutgoingEmail.Status.BOUNCED])
        | Q(last_reminder_at__lte=cutoff, last_reminder_dismissed_at__isnull=True)
    )


def memberships_not_reached(*, at: dt.datetime | None = None) -> QuerySet[Membership]:
    """Members the committee should contact another way, with the annotations that say why."""
    return (
        memberships_with_reach(Membership.objects.select_related("user", "organisation"), at=at)
        .filter(Q(is_not_reached=True))
        .order_by("last_reminder_at", "number")
    )


def not_reached_reason(membership: Membership) -> NotReachedReason | None:
    """Why an annotated membership counts as not reached (None when it does not)."""
    if not getattr(membership, "is_not_reached", False):
        return None
    status = getattr(membership, "last_email_status", None)
    if status == OutgoingEmail.Status.REFUSED:
        return NotReachedReason(
            "refused",
            str(NOT_REACHED_LABELS["refused"]),
            membership.last_email_sent_at,  # type: ignore[attr-defined]
            membership.last_email_error or "",  # type: ignore[attr-defined]
        )
    if status == OutgoingEmail.Status.BOUNCED:
        return NotReachedReason(
            "bounced",
            str(NOT_REACHED_LABELS["bounced"]),
            membership.last_email_bounced_at,  # type: ignore[attr-defined]
            membership.last_email_error or "",  # type: ignore[attr-defined]
        )
    last_reminder_at = getattr(membership, "last_reminder_at", None)
    if last_reminder_at is not None:
        return NotReachedReason("no_action", str(NOT_REACHED_LABELS["no_action"]), last_reminder_at)
    return None


# --- Corporate groups: who counts as one company ------------------------------------------------
#
# The anti-capture rule (one director per corporate group) and the control figures count by
# ``GroupIdentity.key``. One function answers for an organisation (``group_of_organisation``)
# and one for a declared employer (``group_of_employer``: a director's, a candidate's or an
# individual member's); ``group_index()`` loads every group once for many answers.


@dataclass(frozen=True)
class GroupIdentity:
    """The company a person or an organisation counts as, for the anti-capture rule.

    ``key`` is stable and comparable: ``group:<id>`` for a group the membership committee
    confirmed (its top-level parent, after merges); ``name:<look-alike key>`` for groups not
    confirmed yet, so "ACME Inc." and "Acme" count as one company until the committee says
    otherwise; ``org:<id>`` for an organisation that has no group (none since the groups
    migration). ``label`` is what pages show.
    """

    key: str
    label: str
    group_id: int | None
    confirmed: bool


@dataclass(frozen=True)
class _GroupRow:
    pk: int
    name: str
    name_key: str
    confirmed: bool
    parent_id: int | None
    merged_into_id: int | None


class GroupIndex:
    """Every corporate group in memory (one query), to resolve many identities."""

    def __init__(self, rows: list[_GroupRow]) -> None:
        self._rows = {row.pk: row for row in rows}
        self._confirmed_by_key: dict[str, _GroupRow] = {}
        for row in sorted(rows, key=lambda r: r.pk):
            if row.confirmed and row.merged_into_id is None:
                self._confirmed_by_key.setdefault(row.name_key, self._top(row.pk))

    @classmethod
    def load(cls) -> GroupIndex:
        fields = ("pk", "name", "name_key", "confirmed", "parent_id", "merged_into_id")
        return cls([_GroupRow(*values) for values in CorporateGroup.objects.values_list(*fields)])

    def _top(self, group_id: int) -> _GroupRow:
        """Follow merges and parents to the top-level group (a cycle stops where it closes)."""
        row = self._rows[group_id]
        seen = {row.pk}
        while True:
            nxt = row.merged_into_id or row.parent_id
            if nxt is None or nxt in seen or nxt not in self._rows:
                return row
            seen.add(nxt)
            row = self._rows[nxt]

    def of_group(self, group_id: int) -> GroupIdentity:
        top = self._top(group_id)
        if not top.confirmed:
            top = self._confirmed_by_key.get(top.name_key, top)
        if top.confirmed:
            return GroupIdentity(f"group:{top.pk}", top.name, top.pk, True)
        return GroupIdentity(f"name:{top.name_key}", top.name, top.pk, False)

    def of_organisation(self, organisation: Organisation) -> GroupIdentity:
        if organisation.corporate_group_id is not None and organisation.corporate_group_id in self._rows:
            return self.of_group(organisation.corporate_group_id)
        return GroupIdentity(f"org:{organisation.pk}", organisation.legal_name, None, False)

    def of_employer(
        self,
        *,
        organisation: Organisation | None = None,
        group_id: int | None = None,
        independent: bool = False,
    ) -> GroupIdentity | None:
        """A declared employer's identity; ``None`` for an independent or an undeclared one."""
        if independent:
            return None
        if organisation is not None:
            return self.of_organisation(organisation)
        if group_id is not None and group_id in self._rows:
            return self.of_group(group_id)
        return None


def group_index() -> GroupIndex:
    """Every group, loaded once: for the count, the board's composition, the control figures."""
    return GroupIndex.load()


def group_of_organisation(organisation: Organisation, *, index: GroupIndex | None = None) -> GroupIdentity:
    """The company ``organisation`` counts as (its top-level confirmed group, or look-alikes)."""
    return (index or group_index()).of_organisation(organisation)


def group_of_employer(
    *,
    organisation: Organisation | None = None,
    group: CorporateGroup | None = None,
    independent: bool = False,
    index: GroupIndex | None = None,
) -> GroupIdentity | None:
    """The company a person works for, as declared: an organisation, a group, or independent (``None``)."""
    if independent or (organisation is None and group is None):
        return None
    return (index or group_index()).of_employer(
        organisation=organisation, group_id=group.pk if group is not None else None
    )


def group_choices() -> QuerySet[CorporateGroup]:
    """The list people choose a group from: live groups (not merged), confirmed ones first."""
    return CorporateGroup.objects.filter(merged_into__isnull=True).order_by("-confirmed", "name", "pk")


@dataclass(frozen=True)
class MergeHint:
    """Live groups whose names look alike: the committee probably wants one of them."""

    name_key: str
    groups: list[CorporateGroup]

    @property
    def target(self) -> CorporateGroup:
        """The suggested group to keep: a confirmed one, else the oldest."""
        return min(self.groups, key=lambda g: (not g.confirmed, g.pk))

    @property
    def others(self) -> list[CorporateGroup]:
        return [g for g in self.groups if g.pk != self.target.pk]


def group_merge_hints() -> list[MergeHint]:
    """Families of live groups sharing a look-alike key, at least one of them unconfirmed."""
    families: dict[str, list[CorporateGroup]] = {}
    for group in CorporateGroup.objects.filter(merged_into__isnull=True).order_by("pk"):
        families.setdefault(group.name_key, []).append(group)
    return [
        MergeHint(key, groups)
        for key, groups in sorted(families.items())
        if len(groups) > 1 and not all(g.confirmed for g in groups)
    ]
