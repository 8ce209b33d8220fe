"""Renewing a membership from its page: one click for a free class, an application when
the committee must approve, billing for a paid class.

Renewal opens with the first reminder (the largest offset in the rule set), so a double
click cannot add two terms. State changes go through ``members.services.transitions``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.errors import Conflict, ValidationFailed
from core.rules import rules_in_force
from members.models import Membership, MembershipState, Reminder
from members.permissions import can_act_for_membership
from members.services.applications import application_submit_renewal
from members.services.reminders import membership_class
from members.services.transitions import membership_renew

S = MembershipState


@dataclass(frozen=True)
class RenewalOutcome:
    """What pressing "renew" did: ``renewed``, or ``application`` (the committee decides)."""

    kind: str
    membership: Membership
    application: Any = None


def renewal_opens_at(*, membership: Membership, at: dt.datetime | None = None) -> dt.datetime | None:
    """When a member may renew the current term: from the first reminder (the largest
    offset in the rule set), or from expiry if the rules send no reminders."""
    if membership.expires_at is None:
        return None
    offsets = rules_in_force(at=at or clock.now()).reminder_offsets
    return membership.expires_at - dt.timedelta(days=max(offsets, default=0))


def renewal_route(*, membership: Membership, at: dt.datetime | None = None) -> str:
    """How this membership renews: ``one_click``, ``application``, ``billing``,
    ``not_yet`` (the renewal window has not opened) or ``blocked`` (suspended,
    pending, ended, or the class is unknown)."""
    at = at or clock.now()
    if membership.state in (S.SUSPENDED, S.PENDING, S.ENDED):
        return "blocked"
    klass = membership_class(membership, at=at)
    if klass is None:
        return "blocked"
    if not klass.is_free:
        return "billing"
    opens_at = renewal_opens_at(membership=membership, at=at)
    if membership.state == S.ACTIVE and opens_at is not None and at < opens_at:
        return "not_yet"
    if klass.renewal_needs_approval:
        return "application"
    return "one_click"


def _check_renewable(membership: Membership, *, at: dt.datetime) -> str:
    """The route to renew by, or the reason it is refused (a DomainError)."""
    if membership.state == S.SUSPENDED:
        raise Conflict(
            _("This membership is suspended: it cannot be renewed until the board lifts the suspension."),
            code="membership_suspended",
        )
    if membership.state == S.PENDING:
        raise Conflict(_("This membership has not started yet."), code="membership_pending")
    if membership.state == S.ENDED:
        raise Conflict(
            _("This membership has ended. To return, apply for membership again."),
            code="membership_ended",
        )
    route = renewal_route(membership=membership, at=at)
    if route == "blocked":
        raise ValidationFailed(
            _("This membership's class no longer exists; please contact the membership committee."),
            code="unknown_class",
        )
    if route == "billing":
        raise Conflict(
            _("Dues for this class are paid through billing; the membership renews on payment."),
            code="renewal_through_billing",
        )
    if route == "not_yet":
        opens_at = renewal_opens_at(membership=membership, at=at)
        raise Conflict(
            _("Your membership runs until %(expires)s; renewal opens on %(opens)s.")
            % {
                "expires": membership.expires_at.date().isoformat() if membership.expires_at else "",
                "opens": opens_at.date().isoformat() if opens_at else "",
            },
            code="renewal_not_open",
        )
    return route


def membership_renew_request(*, membership: Membership, actor: Any) -> RenewalOutcome:
    """The member pressed "renew": renew a free class at once, or ask the committee.

    Paid classes renew on payment, through billing. Renewal opens with the first
    reminder, so a double click cannot add two terms. Renewing closes the term's
    reminders (the dashboard banner disappears).
    """
    require(
        can_act_for_membership(actor, membership),
        _("You cannot renew this membership."),
        code="not_your_membership",
    )
    now = clock.now()
    membership.refresh_from_db()
    if _check_renewable(membership, at=now) == "application":
        application = application_submit_renewal(membership=membership, applicant=actor)
        return RenewalOutcome(kind="application", membership=membership, application=application)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        _check_renewable(locked, at=now)  # again, on the locked row: a second click finds it renewed
        membership_renew(membership=locked, actor=actor, at=now)
        Reminder.objects.filter(membership=locked, dismissed_at__isnull=True).update(dismissed_at=now)
    membership.refresh_from_db()
    return RenewalOutcome(kind="renewed", membership=membership)
