"""Suspension by board decision, and lifting it, with the notice the bylaws require.

The secretary or the chair records the board's decision (``can_suspend_member``,
``can_reinstate_member``); the state change goes through ``members.services.transitions``
and the member (or the organisation's representative and billing contact) is told why and
by which decision, after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core.access import require
from core.errors import ValidationFailed
from core.mail import email_queue
from members.models import Membership
from members.permissions import can_reinstate_member, can_suspend_member
from members.services.reminders import membership_recipients, site_url
from members.services.transitions import membership_reinstate, membership_suspend


def suspension_order(
    *, membership: Membership, actor: Any, reason: str, notice_date: dt.date, decision_ref: str
) -> Membership:
    """Suspend by board decision and tell the member why and by which decision."""
    require(
        can_suspend_member(actor, membership),
        _("Only the secretary or the chair records a suspension."),
        code="not_allowed",
    )
    with transaction.atomic():
        membership_suspend(
            membership=membership,
            actor=actor,
            reason=reason,
            notice_date=notice_date,
            decision_ref=decision_ref,
        )
        _notify(
            membership=membership,
            template="emails/members/suspension",
            purpose="membership.suspension",
            context={
                "reason": reason.strip(),
                "notice_date": notice_date,
                "decision_ref": decision_ref.strip(),
            },
        )
    return membership


def suspension_lift(*, membership: Membership, actor: Any, decision_ref: str) -> Membership:
    """Reinstate by board decision and tell the member."""
    require(
        can_reinstate_member(actor, membership),
        _("Only the secretary or the chair records the lifting of a suspension."),
        code="not_allowed",
    )
    if not decision_ref.strip():
        raise ValidationFailed(
            _("Lifting a suspension needs the board decision that ordered it."), code="decision_required"
        )
    with transaction.atomic():
        membership_reinstate(membership=membership, actor=actor, decision_ref=decision_ref.strip())
        _notify(
            membership=membership,
            template="emails/members/suspension_lifted",
            purpose="membership.reinstated",
            context={"decision_ref": decision_ref.strip()},
        )
    return membership


def _notify(*, membership: Membership, template: str, purpose: str, context: dict[str, Any]) -> None:
    membership = Membership.objects.select_related("user", "organisation__representative").get(
        pk=membership.pk
    )
    ctx = {
        "membership": membership,
        "name": membership.subject_name,
        "number": membership.number,
        "state": membership.get_state_display(),
        "membership_url": site_url(reverse("members:membership")),
        **context,
    }
    for address in membership_recipients(membership=membership):
        email_queue(
            to=address, template=template, context=ctx, purpose=purpose, subject_ref=membership.number
        )
