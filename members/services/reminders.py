"""Renewal reminders: who is written to about a membership, and when.

Reminders go out by email *and* stay on the member's dashboard until acted on
(renewed or dismissed); the committee sees who was not reached
(``members.selectors.memberships_not_reached``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.mail import email_queue
from core.rules import rules_in_force
from members.models import Membership, MembershipClass, MembershipState, Reminder
from members.permissions import can_dismiss_reminder
from members.rights import current_snapshot
from members.selectors import reminder_is_current

S = MembershipState

# States in which a member is reminded to renew (suspended members cannot renew).
REMINDED_STATES = (S.ACTIVE, S.GRACE)


# --- Recipients ---------------------------------------------------------------------


def membership_recipients(*, membership: Membership) -> list[str]:
    """Who is written to about a membership: the person, or the organisation's
    representative and billing contact (once each)."""
    org = membership.organisation if membership.organisation_id else None
    if org is not None:
        representative = org.representative
        candidates = [representative.email if representative else "", org.billing_contact_email]
    else:
        user = membership.user
        candidates = [user.email if user else ""]
    seen: set[str] = set()
    recipients = []
    for address in candidates:
        key = (address or "").strip().casefold()
        if key and key not in seen:
            seen.add(key)
            recipients.append(address.strip())
    return recipients


def membership_class(membership: Membership, *, at: dt.datetime) -> MembershipClass | None:
    """The membership's class under the rules in force at ``at`` (None if it no longer exists)."""
    return MembershipClass.objects.filter(rule_set=rules_in_force(at=at), code=membership.class_code).first()


def site_url(path: str) -> str:
    """An absolute link for an email."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


# --- Sending reminders ----------------------------------------------------------------


def _due_offset(*, offsets: list[int], expires_at: dt.datetime, at: dt.datetime) -> int | None:
    """The nearest offset already due (the smallest), or None: if the job was late,
    only the latest reminder goes out."""
    due = [offset for offset in offsets if at >= expires_at - dt.timedelta(days=offset)]
    return min(due) if due else None


def reminders_send_due(*, at: dt.datetime | None = None) -> int:
    """Send every renewal reminder that is due at ``at``; return how many were sent.

    Safe to run twice or every few minutes: a reminder is one row per membership, term
    and offset (a database constraint), and an offset is skipped once a nearer one was
    sent for the same term.
    """
    at = at or clock.now()
    rules = rules_in_force(at=at)
    offsets = rules.reminder_offsets
    reminders_close_stale(at=at)
    if not offsets:
        return 0
    horizon = at + dt.timedelta(days=max(offsets))
    candidates = list(
        Membership.objects.filter(
            state__in=REMINDED_STATES, expires_at__isnull=False, expires_at__lte=horizon
        )
        .order_by("pk")
        .values_list("pk", "expires_at")
    )
    if not candidates:
        return 0
    # The nearest offset already sent per (membership, term), in one query.
    sent: dict[tuple[int, dt.datetime], int] = {}
    for membership_id, term, offset in Reminder.objects.filter(
        membership_id__in=[pk for pk, _expiry in candidates]
    ).values_list("membership_id", "term_expires_at", "offset_days"):
        key = (membership_id, term)
        sent[key] = min(offset, sent.get(key, offset))
    count = 0
    for membership_id, expires_at in candidates:
        if expires_at is None:
            continue
        due = _due_offset(offsets=offsets, expires_at=expires_at, at=at)
        if due is None:
            continue
        already = sent.get((membership_id, expires_at))
        if already is not None and already <= due:  # a nearer reminder went out already
            continue
        if reminder_send(membership_id=membership_id, term_expires_at=expires_at, offset_days=due, at=at):
            count += 1
    return count


def reminder_send(
    *, membership_id: int, term_expires_at: dt.datetime, offset_days: int, at: dt.datetime | None = None
) -> Reminder | None:
    """Record one reminder and queue its emails; None if it is no longer due or was sent."""
    at = at or clock.now()
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "organisation__representative")
            .filter(pk=membership_id)
            .first()
        )
        snapshot = current_snapshot(membership=membership, at=at) if membership is not None else None
        if (
            membership is None
            or snapshot is None
            or snapshot.state not in REMINDED_STATES
            or not reminder_is_current(term_expires_at=term_expires_at, snapshot=snapshot)
        ):
            return None  # renewed, suspended or ended since it was selected (the standing says)
        if Reminder.objects.filter(
            membership=membership, term_expires_at=term_expires_at, offset_days__lte=offset_days
        ).exists():
            return None
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    membership=membership,
                    term_expires_at=term_expires_at,
                    offset_days=offset_days,
                    sent_at=at,
                )
        except IntegrityError:
            return None  # another worker sent it first
        klass = membership_class(membership, at=at)
        context = {
            "membership": membership,
            "name": membership.subject_name,
            "number": membership.number,
            "class_name": klass.name if klass else membership.class_code,
            "expires_at": term_expires_at,
            "expired": term_expires_at <= at,
            "days_left": max(math.ceil((term_expires_at - at) / dt.timedelta(days=1)), 0),
            "is_paid": bool(klass and not klass.is_free),
            "needs_approval": bool(klass and klass.renewal_needs_approval),
            "renew_url": site_url(reverse("members:renew")),
            "billing_url": site_url("/billing/"),
        }
        emails = [
            email_queue(
                to=address,
                template="emails/members/reminder",
                context=context,
                purpose="membership.reminder",
                subject_ref=membership.number,
            )
            for address in membership_recipients(membership=membership)
        ]
        if emails:
            # The first recipient is the one who acts (the person or the representative).
            reminder.email = emails[0]
            reminder.save(update_fields=["email"])
        audit_record(
            actor=None,
            action="membership.reminder_sent",
            obj=membership,
            data={
                "term_expires_at": term_expires_at,
                "offset_days": offset_days,
                "emails": len(emails),
            },
        )
    return reminder


def reminders_close_stale(*, at: dt.datetime | None = None) -> int:
    """Close open reminders of terms that were renewed (e.g. paid through billing)
    or of memberships that ended: there is nothing left to act on."""
    at = at or clock.now()
    return (
        Reminder.objects.filter(dismissed_at__isnull=True)
        .filter(
            Q(membership__state=S.ENDED)
            | Q(membership__expires_at__isnull=True)
            | ~Q(term_expires_at=F("membership__expires_at"))
        )
        .update(dismissed_at=at)
    )


def reminder_dismiss(*, reminder: Reminder, actor: Any) -> Reminder:
    """The member saw the reminder and closes the banner. Dismissing twice is harmless.

    The banner stands for every reminder of the term sent so far (the dashboard shows the
    nearest), so the earlier ones close with it; a nearer reminder sent later shows again."""
    require(
        can_dismiss_reminder(actor, reminder),
        _("You cannot dismiss this reminder."),
        code="not_your_reminder",
    )
    with transaction.atomic():
        locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if locked.dismissed_at is None:
            locked.dismissed_at = clock.now()
            locked.save(update_fields=["dismissed_at"])
            Reminder.objects.filter(
                membership_id=locked.membership_id,
                term_expires_at=locked.term_expires_at,
                offset_days__gt=locked.offset_days,
                dismissed_at__isnull=True,
            ).update(dismissed_at=locked.dismissed_at)
            audit_record(
                actor=actor,
                action="membership.reminder_dismissed",
                obj=reminder.membership,
                data={"term_expires_at": locked.term_expires_at, "offset_days": locked.offset_days},
            )
    reminder.refresh_from_db()
    return reminder
