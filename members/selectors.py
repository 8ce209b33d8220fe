"""Reads that need joins, annotations or several queries: the member's dashboard, the
public directory, the committee's member list and who was not reached.

List reads run a constant number of queries whatever the number of members (tests pin it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy

from core import clock
from core.models import OutgoingEmail
from core.rules import rules_in_force
from members.models import Membership, MembershipClass, MembershipState, Organisation, Reminder
from members.rights import VotingRights, voting_rights

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


def member_dashboard(*, user: Any) -> MemberDashboard:
    membership = Membership.objects.filter(user=user).first()
    rights = voting_rights(subject=membership) if membership else None
    orgs = Organisation.objects.filter(Q(representative=user) | Q(alternate=user) | Q(admins=user)).distinct()
    organisations = [(org, voting_rights(subject=org)) for org in orgs]
    reminders = list(
        Reminder.objects.filter(
            membership__in=[m for m in [membership] if m]
            + list(Membership.objects.filter(organisation__in=orgs)),
            dismissed_at__isnull=True,
        ).select_related("membership")
    )
    applications = list(user.membership_applications.order_by("-submitted_at")[:5])
    return MemberDashboard(membership, rights, organisations, reminders, applications)


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
            display_name=Coalesce("organisation__legal_name", "user__full_name"),
            class_position=Subquery(position.values("position")[:1]),
        )
        .select_related("organisation")
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
