"""Renewals and reminders: the member-facing side of a membership's year.

Reminders go out by email *and* stay on the member's dashboard until acted on
(renewed or dismissed); the committee sees who was not reached. State changes still
go through ``members.services.transitions``; this module decides when to call it,
what to tell the member, and records it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.audit import audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.mail import email_queue
from core.models import OutgoingEmail
from core.rules import rules_in_force
from members.models import Membership, MembershipClass, MembershipState, Reminder
from members.permissions import can_act_for_membership, can_dismiss_reminder
from members.services.transitions import (
    membership_end,
    membership_reinstate,
    membership_renew,
    membership_suspend,
)

S = MembershipState

# States in which a member is reminded to renew (suspended members cannot renew).
REMINDED_STATES = (S.ACTIVE, S.GRACE)
# States in which the committee wants to know a member was not reached.
NOT_REACHED_STATES = (S.ACTIVE, S.GRACE, S.LAPSED)


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


def _membership_class(membership: Membership, *, at: dt.datetime) -> MembershipClass | None:
    return MembershipClass.objects.filter(rule_set=rules_in_force(at=at), code=membership.class_code).first()


def _site_url(path: str) -> str:
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
        if (
            membership is None
            or membership.state not in REMINDED_STATES
            or membership.expires_at != term_expires_at
        ):
            return None  # renewed, suspended or ended since it was selected
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
        klass = _membership_class(membership, at=at)
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
            "renew_url": _site_url(reverse("members:renew")),
            "billing_url": _site_url("/billing/"),
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
    """The member saw the reminder and closes the banner. Dismissing twice is harmless."""
    if not can_dismiss_reminder(actor, reminder):
        raise NotAllowed(_("You cannot dismiss this reminder."), code="not_your_reminder")
    with transaction.atomic():
        locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if locked.dismissed_at is None:
            locked.dismissed_at = clock.now()
            locked.save(update_fields=["dismissed_at"])
            audit_record(
                actor=actor,
                action="membership.reminder_dismissed",
                obj=reminder.membership,
                data={"term_expires_at": locked.term_expires_at, "offset_days": locked.offset_days},
            )
    reminder.refresh_from_db()
    return reminder


# --- Renewing -------------------------------------------------------------------------


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
    klass = _membership_class(membership, at=at)
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
    if not can_act_for_membership(actor, membership):
        raise NotAllowed(_("You cannot renew this membership."), code="not_your_membership")
    now = clock.now()
    membership.refresh_from_db()
    if _check_renewable(membership, at=now) == "application":
        from members.services.applications import application_submit_renewal

        application = application_submit_renewal(membership=membership, applicant=actor)
        return RenewalOutcome(kind="application", membership=membership, application=application)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        _check_renewable(locked, at=now)  # again, on the locked row: a second click finds it renewed
        membership_renew(membership=locked, actor=actor, at=now)
        Reminder.objects.filter(membership=locked, dismissed_at__isnull=True).update(dismissed_at=now)
    membership.refresh_from_db()
    return RenewalOutcome(kind="renewed", membership=membership)


def membership_leave(*, membership: Membership, actor: Any) -> Membership:
    """The member leaves the foundation; the number and history stay."""
    if not can_act_for_membership(actor, membership):
        raise NotAllowed(_("You cannot end this membership."), code="not_your_membership")
    with transaction.atomic():
        membership_end(membership=membership, actor=actor, reason=_("Left the foundation."))
        Reminder.objects.filter(membership=membership, dismissed_at__isnull=True).update(
            dismissed_at=clock.now()
        )
    return membership


def membership_set_directory_listing(*, membership: Membership, listed: bool, actor: Any) -> Membership:
    """A member chooses whether they appear in the public directory."""
    if not can_act_for_membership(actor, membership):
        raise NotAllowed(_("You cannot change this listing."), code="not_your_membership")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.in_directory != listed:
            locked.in_directory = listed
            locked.updated_at = clock.now()
            locked.save(update_fields=["in_directory", "updated_at"])
            audit_record(
                actor=actor, action="membership.directory_listing", obj=locked, data={"listed": listed}
            )
    membership.refresh_from_db()
    return membership


# --- Suspension, with the notice the bylaws require ----------------------------------------


def suspension_order(
    *, membership: Membership, actor: Any, reason: str, notice_date: dt.date, decision_ref: str
) -> Membership:
    """Suspend by board decision and tell the member why and by which decision."""
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
        "membership_url": _site_url(reverse("members:membership")),
        **context,
    }
    for address in membership_recipients(membership=membership):
        email_queue(
            to=address, template=template, context=ctx, purpose=purpose, subject_ref=membership.number
        )


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
