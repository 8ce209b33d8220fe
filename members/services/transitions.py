"""The one service that changes a membership's state.

Every state change (approval, renewal, payment, grace, lapse, suspension, leaving)
goes through ``membership_transition``: it locks the row, checks the move is allowed,
writes the history event that past answers read, updates the row and audits it.
Billing calls the same functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.rules import rules_in_force
from members.decisions import DecisionRef, check_adopted_decision
from members.hooks import MembershipTransition, run_transition_hooks
from members.models import Membership, MembershipEvent, MembershipState
from members.standing import refresh_standings

S = MembershipState

ALLOWED: dict[str, set[str]] = {
    S.PENDING: {S.ACTIVE, S.ENDED},
    S.ACTIVE: {S.ACTIVE, S.GRACE, S.LAPSED, S.SUSPENDED, S.ENDED},
    S.GRACE: {S.ACTIVE, S.LAPSED, S.SUSPENDED, S.ENDED},
    S.LAPSED: {S.ACTIVE, S.PENDING, S.SUSPENDED, S.ENDED},
    S.SUSPENDED: {S.ACTIVE, S.GRACE, S.LAPSED, S.ENDED},
    S.ENDED: {S.ACTIVE, S.PENDING},
}

_UNCHANGED: Any = object()


def membership_transition(
    *,
    membership: Membership,
    to_state: str,
    kind: str,
    actor: Any = None,
    at: dt.datetime | None = None,
    reason: str = "",
    decision: DecisionRef | None = None,
    class_code: str | None = None,
    expires_at: Any = _UNCHANGED,
    term_start: Any = _UNCHANGED,
    member_since: Any = _UNCHANGED,
    guard: Callable[[Membership], bool] | None = None,
) -> Membership:
    """Move ``membership`` to ``to_state`` from ``at`` (default now) and record why.

    ``guard`` is checked on the locked row: a scheduled job uses it to make sure the
    membership is still the one it selected (not renewed in between).
    """
    at = at or clock.now()
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if guard is not None and not guard(locked):
            raise Conflict(_("The membership changed meanwhile."), code="stale")
        if to_state not in ALLOWED[locked.state]:
            raise Conflict(
                _("A membership that is %(from)s cannot become %(to)s.")
                % {"from": locked.get_state_display().lower(), "to": S(to_state).label.lower()},
                code="transition_not_allowed",
                detail={"from": locked.state, "to": to_state},
            )
        if expires_at is not _UNCHANGED:
            locked.expires_at = expires_at
        if term_start is not _UNCHANGED:
            locked.term_start = term_start
        if member_since is not _UNCHANGED:
            locked.member_since = member_since
        if class_code:
            locked.class_code = class_code
        previous = locked.state
        locked.state = to_state
        locked.suspension_reason = reason if to_state == S.SUSPENDED else ""
        locked.updated_at = clock.now()
        locked.save()
        MembershipEvent.objects.create(
            membership=locked,
            at=at,
            kind=kind,
            state=to_state,
            class_code=locked.class_code,
            member_since=locked.member_since,
            expires_at=locked.expires_at,
            reason=reason,
            decision_ref=decision.reference if decision else "",
            decision_number=decision.number if decision else None,
            actor_ref=getattr(actor, "audit_ref", "system") if actor else "system",
        )
        # The materialised snapshot, in the same transaction (an event dated in the past
        # does not displace a later one: the statement picks the latest by ``at``).
        refresh_standings([locked.pk])
        audit_record(
            actor=actor,
            action=f"membership.{kind}",
            obj=locked,
            data={
                "from": previous,
                "to": to_state,
                "at": at,
                "class": locked.class_code,
                "expires_at": locked.expires_at,
                "decision": decision.reference if decision else "",
            },
        )
        if previous != to_state:
            run_transition_hooks(
                MembershipTransition(membership=locked, previous_state=previous, state=to_state, actor=actor)
            )
    membership.refresh_from_db()
    return membership


def _term_days(at: dt.datetime) -> dt.timedelta:
    return dt.timedelta(days=rules_in_force(at=at).membership_term_days)


def membership_start_term(
    *, membership: Membership, actor: Any = None, at: dt.datetime | None = None, kind: str = "activated"
) -> Membership:
    """Begin a fresh term now: first activation, or return after a lapse or an ending."""
    at = at or clock.now()
    return membership_transition(
        membership=membership,
        to_state=S.ACTIVE,
        kind=kind,
        actor=actor,
        at=at,
        term_start=at,
        expires_at=at + _term_days(at),
        member_since=at,
    )


def membership_renew(
    *, membership: Membership, actor: Any = None, at: dt.datetime | None = None, kind: str = "renewed"
) -> Membership:
    """Renew for one term.

    Active or in grace: the new term runs on from the previous expiry, so paying late
    within grace never shortens the year. Lapsed or ended: a new term starts now.
    Suspended or pending members cannot renew.
    """
    at = at or clock.now()
    membership.refresh_from_db()
    if membership.state == S.SUSPENDED:
        raise Conflict(
            _("This membership is suspended: it cannot be renewed until the board lifts the suspension."),
            code="membership_suspended",
        )
    if membership.state == S.PENDING:
        raise Conflict(_("This membership has not started yet."), code="membership_pending")
    if membership.state in (S.LAPSED, S.ENDED) or membership.expires_at is None:
        return membership_start_term(membership=membership, actor=actor, at=at, kind=kind)
    new_start = membership.expires_at
    return membership_transition(
        membership=membership,
        to_state=S.ACTIVE,
        kind=kind,
        actor=actor,
        at=at,
        term_start=new_start,
        expires_at=new_start + _term_days(at),
    )


def membership_suspend(
    *,
    membership: Membership,
    actor: Any,
    reason: str,
    notice_date: dt.date,
    decision_number: int,
    at: dt.datetime | None = None,
) -> Membership:
    """Suspend by board decision. The bylaws require notice and reasons, so both are mandatory.

    ``decision_number`` names an adopted decision of the register (``members.decisions``),
    never a typed reference. People suspend through ``governance.services.suspensions``,
    which keeps the register's ``Suspension`` and applies this at the end of the notice period (``at``).
    """
    if not reason.strip():
        raise ValidationFailed(_("A suspension needs a reason."), code="reason_required")
    decision = check_adopted_decision(decision_number)
    at = at or clock.now()
    if notice_date > at.date():
        raise ValidationFailed(
            _("The notice must have been given before the suspension takes effect."),
            code="notice_after_suspension",
        )
    return membership_transition(
        membership=membership,
        to_state=S.SUSPENDED,
        kind="suspended",
        actor=actor,
        at=at,
        reason=f"{reason.strip()} (notice given {notice_date.isoformat()})",
        decision=decision,
    )


def membership_reinstate(*, membership: Membership, actor: Any, decision_number: int) -> Membership:
    """Lift a suspension by an adopted decision of the register; the member returns to whatever their dues say."""
    decision = check_adopted_decision(decision_number)
    now = clock.now()
    rules = rules_in_force(at=now)
    membership.refresh_from_db()
    if membership.state != S.SUSPENDED:
        raise Conflict(_("This membership is not suspended."), code="not_suspended")
    to_state = S.ACTIVE
    if membership.expires_at and membership.expires_at <= now:
        grace_end = membership.expires_at + dt.timedelta(days=rules.grace_days)
        to_state = S.GRACE if now < grace_end else S.LAPSED
    return membership_transition(
        membership=membership,
        to_state=to_state,
        kind="reinstated",
        actor=actor,
        decision=decision,
    )


def membership_end(*, membership: Membership, actor: Any, reason: str = "") -> Membership:
    """A member leaves (or is removed). The number and history stay."""
    membership.refresh_from_db()
    if membership.state == S.ENDED:
        raise Conflict(_("This membership has already ended."), code="already_ended")
    return membership_transition(
        membership=membership, to_state=S.ENDED, kind="ended", actor=actor, reason=reason
    )


def _still(state: str, expires_at: dt.datetime) -> Callable[[Membership], bool]:
    """A guard: the locked row is still in ``state`` with the same expiry (not renewed)."""
    return lambda m: m.state == state and m.expires_at == expires_at


def membership_apply_schedule(*, at: dt.datetime | None = None) -> dict[str, int]:
    """Move expired memberships to grace, and grace past its end to lapsed.

    The event is dated at the moment the rule took effect (the expiry, or the end of
    grace), not when this job happened to run, so history is exact. Safe to run twice,
    and concurrently: each move re-checks the locked row.
    """
    at = at or clock.now()
    counts = {"grace": 0, "lapsed": 0}
    due = Membership.objects.filter(state__in=(S.ACTIVE, S.GRACE), expires_at__lte=at).order_by("pk")
    for membership in due:
        expiry = membership.expires_at
        assert expiry is not None  # filtered on expires_at__lte
        grace_end = expiry + dt.timedelta(days=rules_in_force(at=expiry).grace_days)
        try:
            if membership.state == S.ACTIVE:
                membership_transition(
                    membership=membership,
                    to_state=S.GRACE,
                    kind="grace_started",
                    at=expiry,
                    guard=_still(S.ACTIVE, expiry),
                )
                counts["grace"] += 1
            if grace_end <= at:
                membership_transition(
                    membership=membership,
                    to_state=S.LAPSED,
                    kind="lapsed",
                    at=grace_end,
                    guard=_still(S.GRACE, expiry),
                )
                counts["lapsed"] += 1
        except Conflict:
            continue  # another worker, or a renewal, moved it first
    return counts
