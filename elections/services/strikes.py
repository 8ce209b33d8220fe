"""Striking a roll line when its member is suspended during the election.

The bylaws say a suspended member cannot vote. The roll is frozen at the record date, so a
suspension that takes effect later strikes the member's line in every election whose roll
is frozen and whose voting has not closed, if no ballot was cast for it yet (audited, with
the reason on the committee's page). A ballot already cast stays counted: it cannot be
found, and that is the point. Lifting the suspension before the close restores the line.

Suspensions are decided in governance and applied in members, which cannot import
elections: ``ElectionsConfig.ready()`` registers ``roll_follow_membership`` as a
membership hook (members/hooks.py). It runs inside the transition's transaction, after the
membership's lock, and updates roll rows with conditional UPDATEs (never the election row),
so it cannot wait on a ballot being cast in the other lock order: the cast flips
``has_voted`` only on a line that is not struck, and a line that has voted is never struck
(a database constraint).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from core.audit import audit_record
from elections.models import FINISHED_STATES, Election, ElectionState, RollEntry
from members.hooks import MembershipTransition
from members.models import Membership, MembershipEvent, MembershipState

STRUCK_SUSPENDED = "suspended"


def struck_reason_label(code: str) -> str:
    """What the committee's page says about a struck line."""
    if code == STRUCK_SUSPENDED:
        return _("Suspended after the record date: a suspended member cannot vote.")
    return code


def suspended_at(numbers: Iterable[str], *, at: dt.datetime) -> set[str]:
    """The members among ``numbers`` whose membership was suspended at ``at`` (from its history)."""
    state_then = (
        MembershipEvent.objects.filter(membership=OuterRef("pk"), at__lte=at)
        .order_by("-at", "-id")
        .values("state")[:1]
    )
    return set(
        Membership.objects.filter(number__in=list(numbers))
        .annotate(state_then=Subquery(state_then))
        .filter(state_then=MembershipState.SUSPENDED)
        .values_list("number", flat=True)
    )


def elections_with_open_roll() -> QuerySet[Election]:
    """Elections whose roll is frozen and whose voting has not closed."""
    return Election.objects.filter(roll_frozen_at__isnull=False, closed_at__isnull=True).exclude(
        state__in=(*FINISHED_STATES, ElectionState.COUNTED)
    )


def roll_lines_strike(*, membership: Membership, actor: object = None) -> int:
    """Strike ``membership``'s line in every election still voting (or about to), if it has not voted."""
    struck = 0
    for election in elections_with_open_roll().order_by("pk"):
        if RollEntry.objects.filter(
            election=election, member_number=membership.number, has_voted=False, struck=False
        ).update(struck=True, struck_reason=STRUCK_SUSPENDED):
            struck += 1
            audit_record(
                actor=actor,
                action="election.roll_line_struck",
                obj=election,
                data={"member": membership.number, "reason": STRUCK_SUSPENDED},
            )
    return struck


def roll_lines_restore(*, membership: Membership, actor: object = None) -> int:
    """The suspension was lifted before the close: the member's struck lines count again."""
    restored = 0
    for election in elections_with_open_roll().order_by("pk"):
        if RollEntry.objects.filter(
            election=election, member_number=membership.number, struck=True, struck_reason=STRUCK_SUSPENDED
        ).update(struck=False, struck_reason=""):
            restored += 1
            audit_record(
                actor=actor,
                action="election.roll_line_restored",
                obj=election,
                data={"member": membership.number, "reason": STRUCK_SUSPENDED},
            )
    return restored


def roll_follow_membership(transition: MembershipTransition) -> None:
    """The membership hook: a suspension strikes the member's open roll lines; lifting it restores them."""
    if transition.state == MembershipState.SUSPENDED:
        roll_lines_strike(membership=transition.membership, actor=transition.actor)
    elif transition.previous_state == MembershipState.SUSPENDED and transition.state != MembershipState.ENDED:
        roll_lines_restore(membership=transition.membership, actor=transition.actor)
