"""Suspending a member, and lifting the suspension, by an adopted decision of the register.

The bylaws tie both to a board decision, so the secretary or the chair chooses the decision
from the register (never types a reference) and the register keeps the ``Suspension``. The
suspension takes effect ``suspension_notice_days`` (rule set) after the notice date; until
then the member keeps every right. The membership schedule applies due suspensions
(``suspensions_apply_due``, registered with members in ``GovernanceConfig.ready()``): the
history event is dated when the suspension took effect, not when the job ran.

Locks: ``Membership`` (members) first, then ``Suspension`` (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.rules import rules_in_force
from governance.models import Decision, Suspension, SuspensionStatus
from governance.register import check_adopted_decision
from members.hooks import MembershipTransition
from members.models import Membership, MembershipState
from members.permissions import can_reinstate_member, can_suspend_member
from members.services import transitions
from members.services.suspensions import suspension_notify

S = MembershipState
OPEN = (SuspensionStatus.PENDING, SuspensionStatus.EFFECTIVE)

# Not a bylaw: a bound against typing errors (a notice date in year 9999), so the
# effective date is always a real date a person would expect.
NOTICE_DATE_MAX_AHEAD = dt.timedelta(days=366)


def check_notice_date(notice_date: dt.date, *, today: dt.date) -> None:
    if notice_date < today:
        raise ValidationFailed(
            _("The notice date cannot be in the past (today is %(today)s).") % {"today": today.isoformat()},
            code="notice_in_past",
            detail={"field": "notice_date"},
        )
    if notice_date > today + NOTICE_DATE_MAX_AHEAD:
        raise ValidationFailed(
            _("The notice date must be within a year from today."),
            code="notice_too_far",
            detail={"field": "notice_date"},
        )


def suspension_effective_at(*, notice_date: dt.date, at: dt.datetime) -> dt.datetime:
    """When a suspension noticed on ``notice_date`` takes effect (the start of that day, UTC)."""
    days = rules_in_force(at=at).suspension_notice_days
    return dt.datetime.combine(notice_date + dt.timedelta(days=days), dt.time.min, tzinfo=dt.UTC)


def membership_suspend(
    *, actor: Any, membership: Membership, decision: Decision, notice_date: dt.date, reason: str
) -> Suspension:
    """Order a suspension by ``decision``; it takes effect after the notice period."""
    require(
        can_suspend_member(actor, membership),
        _("Only the secretary or the chair records a suspension."),
    )
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            _("A suspension needs a reason."), code="reason_required", detail={"field": "reason"}
        )
    now = clock.now()
    check_notice_date(notice_date, today=now.date())
    effective_at = suspension_effective_at(notice_date=notice_date, at=now)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.state in (S.SUSPENDED, S.ENDED, S.PENDING):
            raise Conflict(
                _("A membership that is %(state)s cannot be suspended.")
                % {"state": locked.get_state_display().lower()},
                code="transition_not_allowed",
            )
        decision = check_adopted_decision(decision)
        if Suspension.objects.filter(membership=locked, status__in=OPEN).exists():
            raise Conflict(
                _("A suspension of this membership is already pending."), code="suspension_pending"
            )
        suspension = Suspension.objects.create(
            membership=locked,
            decision=decision,
            reason=reason,
            notice_date=notice_date,
            effective_at=effective_at,
            ordered_at=now,
            ordered_by=actor,
        )
        audit_record(
            actor=actor,
            action="suspension.ordered",
            obj=suspension,
            data={
                "membership": locked.number,
                "decision": decision.audit_ref,
                "notice_date": notice_date,
                "effective_at": effective_at,
            },
        )
        if effective_at <= now:
            _apply(suspension, actor=actor, now=now)
        suspension_notify(
            membership=locked,
            template="emails/governance/suspension_notice",
            purpose="membership.suspension",
            context={
                "reason": reason,
                "notice_date": notice_date,
                "effective_at": effective_at,
                "decision_ref": decision.reference,
                "decision_title": decision.title,
            },
        )
    return suspension


def _apply(suspension: Suspension, *, actor: Any, now: dt.datetime) -> None:
    """Put a pending suspension into effect (the caller holds the membership's lock).

    The history event is dated when the notice ran out, so past answers are exact; if
    something was recorded after that moment (before the job ran), it is dated now, so the
    suspension stays the latest event.
    """
    decision = suspension.decision
    last = suspension.membership.events.aggregate(last=Max("at"))["last"]
    at = suspension.effective_at if last is None or last <= suspension.effective_at else max(now, last)
    transitions.membership_suspend(
        membership=suspension.membership,
        actor=actor,
        reason=suspension.reason,
        notice_date=suspension.notice_date,
        decision_number=decision.number,
        at=at,
    )
    suspension.status = SuspensionStatus.EFFECTIVE
    suspension.applied_at = now
    suspension.save(update_fields=["status", "applied_at"])
    audit_record(
        actor=actor,
        action="suspension.effective",
        obj=suspension,
        data={"membership": suspension.membership.number, "decision": decision.audit_ref},
    )


def suspensions_apply_due(at: dt.datetime | None = None) -> int:
    """Put into effect every suspension whose notice period has run. Safe to run twice."""
    at = at or clock.now()
    applied = 0
    due = list(
        Suspension.objects.filter(status=SuspensionStatus.PENDING, effective_at__lte=at)
        .order_by("effective_at", "pk")
        .values_list("pk", "membership_id")
    )
    for pk, membership_id in due:
        with transaction.atomic():
            Membership.objects.select_for_update().get(pk=membership_id)
            suspension = (
                Suspension.objects.select_for_update(of=("self",))
                .select_related("membership", "decision")
                .get(pk=pk)
            )
            if suspension.status != SuspensionStatus.PENDING:
                continue  # another worker applied it, or it was lifted
            try:
                with transaction.atomic():
                    _apply(suspension, actor=None, now=at)
                applied += 1
            except Conflict as error:
                # The membership ended (or changed) before the notice ran out.
                suspension.status = SuspensionStatus.VOID
                suspension.void_reason = error.message[:300]
                suspension.save(update_fields=["status", "void_reason"])
                audit_record(
                    actor=None,
                    action="suspension.void",
                    obj=suspension,
                    data={"membership": suspension.membership.number, "code": error.code},
                )
    return applied


def membership_reinstate(*, actor: Any, membership: Membership, decision: Decision) -> Membership:
    """Lift a suspension by ``decision``: a pending one never takes effect; one in effect ends."""
    require(
        can_reinstate_member(actor, membership),
        _("Only the secretary or the chair records the lifting of a suspension."),
    )
    now = clock.now()
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        decision = check_adopted_decision(decision)
        suspension = (
            Suspension.objects.select_for_update(of=("self",))
            .select_related("decision")
            .filter(membership=locked, status__in=OPEN)
            .first()
        )
        if suspension is None and locked.state != S.SUSPENDED:
            raise Conflict(_("This membership is not suspended."), code="not_suspended")
        if suspension is not None:
            if suspension.decision_id == decision.pk:
                raise ValidationFailed(
                    _("Decision %(ref)s ordered the suspension; lifting it needs another decision.")
                    % {"ref": decision.reference},
                    code="same_decision",
                )
            was = suspension.status
            suspension.status = SuspensionStatus.LIFTED
            suspension.lifted_by_decision = decision
            suspension.lifted_at = now
            suspension.lifted_by = actor
            suspension.save(update_fields=["status", "lifted_by_decision", "lifted_at", "lifted_by"])
            audit_record(
                actor=actor,
                action="suspension.lifted",
                obj=suspension,
                data={"membership": locked.number, "decision": decision.audit_ref, "was": was},
            )
        if locked.state == S.SUSPENDED:
            transitions.membership_reinstate(
                membership=locked,
                actor=actor,
                decision_number=decision.number,
            )
        suspension_notify(
            membership=locked,
            template="emails/members/suspension_lifted",
            purpose="membership.reinstated",
            context={"decision_ref": decision.reference},
        )
    membership.refresh_from_db()
    return membership


def suspension_follow_membership(change: MembershipTransition) -> None:
    """A membership hook: a suspension whose membership ends is closed, not left open.

    Lifting goes through ``membership_reinstate``, which closes the suspension first; what
    remains is a membership that ends (or otherwise leaves suspension) on its own.
    """
    if change.state == S.SUSPENDED or (change.previous_state != S.SUSPENDED and change.state != S.ENDED):
        return
    for suspension in Suspension.objects.select_for_update(of=("self",)).filter(
        membership=change.membership, status__in=OPEN
    ):
        suspension.status = SuspensionStatus.VOID
        suspension.void_reason = _("The membership became %(state)s.") % {"state": change.state}
        suspension.save(update_fields=["status", "void_reason"])
        audit_record(
            actor=change.actor,
            action="suspension.void",
            obj=suspension,
            data={"membership": change.membership.number, "state": change.state},
        )
