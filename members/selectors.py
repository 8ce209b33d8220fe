"""Reads that need joins or several queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from members.models import Membership, Organisation, Reminder
from members.rights import VotingRights, voting_rights


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
