"""Members' part of the members' data registry (core/privacy.py), registered in ``MembersConfig.ready()``.

Memberships and their history, applications and their messages, the organisations a person
acts for, invitations sent to their address, and renewal reminders. On erasure the
membership ends (the number and its history stay: a number is never reused, and past
answers and frozen rolls read the history); applications not approved are deleted and the
approved one loses its statement and thread; invitations to the person's addresses are
deleted; they stop being an organisation's administrator or billing contact. A person who
is an organisation's representative or alternate must be replaced first.

Retention: rejected or withdrawn applications and invitations never accepted are deleted
after the rule set's periods; the email log keeps the reminders of current memberships,
which the committee's not-reached list reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import DateTimeField, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.account_data import addressed_to, user_addresses
from core.models import AuditEntry, RuleSet
from core.privacy import (
    ORDER_MEMBERS,
    Blocker,
    Collected,
    ErasureContext,
    Kept,
    PrivacyPart,
    RetentionRule,
    register_kept_emails,
    register_privacy_part,
    register_retention_rule,
)
from core.services.retention import days_after
from members.models import (
    ApplicationMessage,
    ApplicationState,
    Invitation,
    Membership,
    MembershipApplication,
    MembershipState,
    Organisation,
    Reminder,
    RepresentativeChange,
)
from members.services.transitions import membership_end

S = MembershipState
A = ApplicationState
CLOSED_UNAPPROVED = (A.REJECTED, A.WITHDRAWN)


# --- Export ---------------------------------------------------------------------------------------


def _membership(m: Membership) -> dict[str, Any]:
    return {
        "number": m.number,
        "class": m.class_code,
        "state": m.state,
        "member_since": m.member_since,
        "term_start": m.term_start,
        "expires_at": m.expires_at,
        "listed_in_directory": m.in_directory,
        "mirror_url": m.mirror_url,
        "suspension_reason": m.suspension_reason,
        "created_at": m.created_at,
        "history": [
            {
                "at": e.at,
                "kind": e.kind,
                "state": e.state,
                "class": e.class_code,
                "expires_at": e.expires_at,
                "reason": e.reason,
                "decision": e.decision_ref,
            }
            for e in m.events.order_by("at", "id")
        ],
        "renewal_reminders": [
            {
                "term_expires_at": r.term_expires_at,
                "days_before": r.offset_days,
                "sent_at": r.sent_at,
                "dismissed_at": r.dismissed_at,
            }
            for r in m.reminders.order_by("sent_at", "id")
        ],
        "audit_entries": [
            {"seq": seq, "at": at, "action": action}
            for seq, at, action in AuditEntry.objects.filter(
                object_type="members.membership", object_ref=m.number
            )
            .order_by("seq")
            .values_list("seq", "created_at", "action")
        ],
    }


def _application(a: MembershipApplication, user: Any) -> dict[str, Any]:
    return {
        "submitted_at": a.submitted_at,
        "class": a.class_code,
        "renewal": a.is_renewal,
        "state": a.state,
        "statement": a.statement,
        "mirror_url": a.mirror_url,
        "organisation": a.legal_name,
        "billing_contact_name": a.billing_contact_name,
        "billing_contact_email": a.billing_contact_email,
        "representative_email": a.representative_email,
        "decided_at": a.decided_at,
        "decision_reason": a.decision_reason,
        # The committee speaks as the committee: its members' names are theirs, not yours.
        "messages": [
            {
                "from": "committee"
                if msg.from_committee
                else ("you" if msg.author_id == user.pk else "applicant"),
                "at": msg.created_at,
                "body": msg.body,
            }
            for msg in a.messages.order_by("created_at", "id")
        ],
    }


def _organisation_roles(org: Organisation, user: Any, addresses: frozenset[str]) -> list[str]:
    roles = []
    if org.representative_id == user.pk:
        roles.append("representative")
    if org.alternate_id == user.pk:
        roles.append("alternate")
    if org.admins.filter(pk=user.pk).exists():
        roles.append("administrator")
    if org.billing_contact_email and org.billing_contact_email.lower() in addresses:
        roles.append("billing contact")
    return roles


def organisations_of(user: Any, addresses: frozenset[str]) -> QuerySet[Organisation]:
    """Organisations the person acts for (representative, alternate, admin) or is the billing contact of."""
    return (
        Organisation.objects.filter(
            Q(representative=user)
            | Q(alternate=user)
            | Q(admins=user)
            | addressed_to(addresses, "billing_contact_email")
        )
        .distinct()
        .order_by("legal_name")
    )


def export_members(*, user: Any) -> dict[str, Any]:
    addresses = user_addresses(user)
    return {
        "memberships": [_membership(m) for m in Membership.objects.filter(user=user).order_by("number")],
        "applications": [
            _application(a, user)
            for a in MembershipApplication.objects.filter(applicant=user).order_by("submitted_at", "pk")
        ],
        "organisations": [
            {
                "name": org.legal_name,
                "slug": org.slug,
                "your_roles": _organisation_roles(org, user, addresses),
            }
            for org in organisations_of(user, addresses)
        ],
        "representative_changes": [
            {"organisation": c.organisation.legal_name, "role": c.role, "at": c.changed_at}
            for c in RepresentativeChange.objects.filter(user=user).select_related("organisation")
        ],
        "invitations_to_you": [
            {
                "organisation": i.organisation.legal_name,
                "role": i.role,
                "email": i.email,
                "created_at": i.created_at,
                "expires_at": i.expires_at,
                "accepted_at": i.accepted_at,
                "revoked_at": i.revoked_at,
            }
            for i in Invitation.objects.filter(addressed_to(addresses, "email")).select_related(
                "organisation"
            )
        ],
    }


# --- Erasure --------------------------------------------------------------------------------------


def members_blockers(*, user: Any) -> list[Blocker]:
    blockers = []
    for org in Organisation.objects.filter(representative=user).order_by("legal_name"):
        blockers.append(
            Blocker(
                "organisation_representative",
                _(
                    "You are the representative of %(org)s: its administrators must name a new representative first."
                )
                % {"org": org.legal_name},
            )
        )
    for org in Organisation.objects.filter(alternate=user).order_by("legal_name"):
        blockers.append(
            Blocker(
                "organisation_alternate",
                _(
                    "You are the alternate of %(org)s: its administrators must remove you or name another first."
                )
                % {"org": org.legal_name},
            )
        )
    return blockers


def erase_members(context: ErasureContext) -> dict[str, int]:
    user, addresses = context.user, context.addresses
    counts: dict[str, int] = {}
    # Applications first (the lock order: applications, organisations, invitations, memberships).
    own = MembershipApplication.objects.filter(applicant=user)
    counts["applications_deleted"], _detail = own.exclude(state=A.APPROVED).delete()
    approved = own.filter(state=A.APPROVED)
    counts["application_messages_deleted"], _detail = ApplicationMessage.objects.filter(
        application__in=approved
    ).delete()
    counts["applications_kept"] = approved.update(statement="", mirror_url="")
    MembershipApplication.objects.filter(addressed_to(addresses, "representative_email")).update(
        representative_email=""
    )
    MembershipApplication.objects.filter(addressed_to(addresses, "billing_contact_email")).update(
        billing_contact_name="", billing_contact_email=""
    )
    counts["organisations_left"] = 0
    for org in Organisation.objects.filter(admins=user):
        org.admins.remove(user)
        counts["organisations_left"] += 1
    Organisation.objects.filter(addressed_to(addresses, "billing_contact_email")).update(
        billing_contact_name="", billing_contact_email=""
    )
    counts["invitations_deleted"], _detail = Invitation.objects.filter(
        addressed_to(addresses, "email")
    ).delete()
    counts["memberships_ended"] = 0
    for membership in Membership.objects.filter(user=user):
        if membership.state != S.ENDED:
            membership_end(
                membership=membership,
                actor=context.actor,
                reason=_("Personal data erased at the member's request."),
            )
            counts["memberships_ended"] += 1
        Membership.objects.filter(pk=membership.pk).update(
            in_directory=False, mirror_url="", suspension_reason=""
        )
        Reminder.objects.filter(membership=membership).delete()
    return counts


def kept_members(rules: RuleSet) -> list[Kept]:
    return [
        Kept(
            gettext_lazy("Your member number, class, and the dates and states of your membership"),
            gettext_lazy(
                "A member number is never reused, and past voting-rights answers and frozen rolls "
                "are recomputed from this history."
            ),
        ),
        Kept(
            gettext_lazy("The approved application that admitted you (without your statement or messages)"),
            gettext_lazy("It records the committee's decision to admit a member."),
        ),
        Kept(
            gettext_lazy("Past changes of an organisation's representative naming you (under the pseudonym)"),
            gettext_lazy("Rolls record who could cast an organisation's vote at each record date."),
        ),
    ]


# --- Retention ------------------------------------------------------------------------------------


def _closed_applications(*, at: dt.datetime, rules: RuleSet) -> int:
    cutoff = at - dt.timedelta(days=rules.retention_rejected_application_days)
    closed_at = Coalesce("decided_at", "updated_at", output_field=DateTimeField())
    stale = MembershipApplication.objects.filter(state__in=CLOSED_UNAPPROVED).annotate(closed_at=closed_at)
    deleted = MembershipApplication.objects.filter(pk__in=stale.filter(closed_at__lt=cutoff).values("pk"))
    count = deleted.count()
    deleted.delete()  # with their messages
    return count


def _dead_invitations(*, at: dt.datetime, rules: RuleSet) -> int:
    cutoff = at - dt.timedelta(days=rules.retention_expired_invitation_days)
    deleted, _detail = Invitation.objects.filter(
        Q(accepted_at__isnull=True), Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    ).delete()
    return deleted


def reminder_emails_to_keep(*, at: dt.datetime) -> QuerySet[Any]:
    """The emails of current memberships' reminders for their current term (the not-reached list)."""
    return (
        Reminder.objects.filter(email__isnull=False, term_expires_at=F("membership__expires_at"))
        .exclude(membership__state=S.ENDED)
        .values("email_id")
    )


CLOSED_APPLICATIONS = RetentionRule(
    key="closed_applications",
    what=gettext_lazy("Rejected or withdrawn membership applications, with their messages"),
    period=lambda rules: days_after(rules.retention_rejected_application_days, _("the decision")),
    then=gettext_lazy("Deleted."),
    order=20,
    apply=_closed_applications,
)
DEAD_INVITATIONS = RetentionRule(
    key="expired_invitations",
    what=gettext_lazy("Invitations to become a representative that were never accepted"),
    period=lambda rules: days_after(
        rules.retention_expired_invitation_days, _("they expired or were revoked")
    ),
    then=gettext_lazy("Deleted, with the address they were sent to."),
    order=30,
    apply=_dead_invitations,
)

PART = PrivacyPart(
    key="membership",
    label=gettext_lazy("Membership"),
    order=ORDER_MEMBERS,
    position=20,
    collected=(
        Collected(
            gettext_lazy("Your member number, class, and the dates and states of your membership"),
            gettext_lazy("To run the membership and answer who may vote, with which weight, and why."),
            gettext_lazy(
                "You; the membership and election committees and the board; anyone for organisations "
                "and for individuals listed in the directory (see the table below)."
            ),
        ),
        Collected(
            gettext_lazy("Whether you are listed in the public directory, and your mirror's address"),
            gettext_lazy("The directory lists members who chose to be listed; mirror members run a mirror."),
            gettext_lazy("Everyone, if you chose to be listed; otherwise you and the committee."),
        ),
        Collected(
            gettext_lazy("Your applications, your statement and your messages with the committee"),
            gettext_lazy("The membership committee approves every application and some renewals."),
            gettext_lazy("You and the membership committee."),
        ),
        Collected(
            gettext_lazy(
                "The organisations you act for (representative, alternate, administrator, billing contact)"
            ),
            gettext_lazy("An organisation acts through one designated representative."),
            gettext_lazy("The organisation's people and the membership committee."),
        ),
        Collected(
            gettext_lazy("Renewal reminders sent to you, and whether they reached you"),
            gettext_lazy("Reminders must reach people: the committee contacts those not reached."),
            gettext_lazy("You and the membership committee."),
        ),
    ),
    export=export_members,
    erase=erase_members,
    blockers=members_blockers,
    kept=kept_members,
)


def register() -> None:
    register_privacy_part(PART)
    register_retention_rule(CLOSED_APPLICATIONS)
    register_retention_rule(DEAD_INVITATIONS)
    register_kept_emails(reminder_emails_to_keep)
