"""The members side of suspensions: telling the member, and the scheduled step.

A suspension is ordered and lifted by an adopted decision of the board's register, so the
person-facing services live next to the decisions, in ``governance.services.suspensions``
(members cannot import governance). They change the membership through
``members.services.transitions`` and tell the member through ``suspension_notify``.

A suspension takes effect ``suspension_notice_days`` after its notice. Governance registers
the step that applies suspensions whose notice has run (``register_due_suspensions``, in
``GovernanceConfig.ready()``); the membership schedule (``members.tasks``) calls it every
15 minutes through ``suspensions_apply_due``. The step must be safe to run twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from core.mail import email_queue
from members.models import Membership
from members.services.reminders import membership_recipients, site_url

DueSuspensions = Callable[[dt.datetime], int]

_due_suspensions: list[DueSuspensions] = []


def register_due_suspensions(apply: DueSuspensions) -> None:
    """``apply(at)`` puts into effect the suspensions due at ``at`` and returns how many."""
    _due_suspensions[:] = [apply]


def suspensions_apply_due(*, at: dt.datetime) -> int:
    return sum(apply(at) for apply in list(_due_suspensions))


def suspension_notify(
    *, membership: Membership, template: str, purpose: str, context: dict[str, Any]
) -> None:
    """Email the member (or the organisation's representative and billing contact), after commit."""
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
