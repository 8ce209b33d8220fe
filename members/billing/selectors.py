"""Billing reads: the sponsor's dashboard, the treasurer's figures, the revenue series."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _

from core import clock
from core.access import is_authenticated
from core.rules import rules_in_force
from members.billing.models import BillingFlag, Invoice, InvoiceStatus, Payment, PaymentOutcome, StripeEvent
from members.billing.rules import billing_rules
from members.models import Membership, MembershipClass, MembershipEvent, MembershipState, Organisation
from members.rights import VotingRights, voting_rights
from members.selectors import class_names

S = MembershipState


def billing_organisations(*, user: Any) -> QuerySet[Organisation]:
    """The organisations whose billing ``user`` manages (see ``can_manage_billing``)."""
    if not is_authenticated(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(representative=user)
        | Q(alternate=user)
        | Q(admins=user)
        | Q(billing_contact_email__iexact=user.email)
    ).distinct()


def organisation_invoices(*, organisation_slug: str) -> QuerySet[Invoice]:
    """An organisation's invoices, with what the invoice page shows."""
    return (
        Invoice.objects.filter(organisation__slug=organisation_slug)
        .select_related("organisation", "membership", "rule_set")
        .prefetch_related("payments")
    )


@dataclass(frozen=True)
class Consequence:
    at: dt.datetime
    what: str


@dataclass
class SponsorBilling:
    organisation: Organisation
    membership: Membership | None
    klass: MembershipClass | None
    rights: VotingRights
    invoices: list[Invoice]
    open_invoices: list[Invoice]
    next_due_at: dt.datetime | None
    consequences: list[Consequence] = field(default_factory=list)
    history: list[MembershipEvent] = field(default_factory=list)


def _consequences(
    membership: Membership, klass: MembershipClass | None, due_at: dt.datetime
) -> list[Consequence]:
    """Exactly what happens, and when, if the open invoice stays unpaid."""
    rules = rules_in_force(at=due_at)
    weight = klass.vote_weight if klass else 0
    grace_end = due_at + dt.timedelta(days=billing_rules(rules).grace_days)
    items = []
    if membership.state in (S.ACTIVE,) and due_at > clock.now():
        if rules.grace_may_vote:
            what = _("The membership enters its %(days)s-day grace period; it keeps its vote.")
        else:
            what = _(
                "The membership enters its %(days)s-day grace period: its vote (weight %(weight)s) "
                "is suspended and it is not counted as in good standing."
            )
        items.append(Consequence(due_at, what % {"days": rules.grace_days, "weight": weight}))
    if membership.state in (S.ACTIVE, S.GRACE) and grace_end > clock.now():
        items.append(
            Consequence(
                grace_end,
                _(
                    "The membership lapses: it loses its vote (weight %(weight)s), its "
                    "people lose eligibility for board seats reserved for sponsors, and "
                    "a new term starts only when dues are paid."
                )
                % {"weight": weight},
            )
        )
    return items


def sponsor_billing(*, organisation: Organisation) -> SponsorBilling:
    membership = Membership.objects.filter(organisation=organisation).first()
    klass = None
    if membership is not None:
        klass = MembershipClass.objects.filter(rule_set=rules_in_force(), code=membership.class_code).first()
    invoices = list(
        Invoice.objects.filter(organisation=organisation)
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("received_at")))
        .order_by("-due_at", "-id")
    )
    open_invoices = [i for i in invoices if i.status in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE)]
    next_due = min((i.due_at for i in open_invoices), default=None)
    if next_due is None and membership is not None and membership.state in (S.ACTIVE, S.GRACE):
        next_due = membership.expires_at
    consequences = (
        _consequences(membership, klass, next_due) if (membership and next_due and open_invoices) else []
    )
    history = (
        list(MembershipEvent.objects.filter(membership=membership).order_by("-at", "-id")[:10])
        if membership
        else []
    )
    return SponsorBilling(
        organisation=organisation,
        membership=membership,
        klass=klass,
        rights=voting_rights(subject=organisation),
        invoices=invoices,
        open_invoices=open_invoices,
        next_due_at=next_due,
        consequences=consequences,
        history=history,
    )


# --- Treasurer ------------------------------------------------------------------------------


@dataclass
class TreasuryRow:
    year: int
    class_code: str
    currency: str
    invoices: int = 0
    billed: int = 0
    paid: int = 0
    outstanding: int = 0
    overdue: int = 0
    class_name: str = ""


def treasury_summary() -> list[TreasuryRow]:
    """Dues billed, paid, outstanding and overdue per year (of the due date), class and currency."""
    now = clock.now()
    live = Invoice.objects.exclude(status=InvoiceStatus.VOID).annotate(year=ExtractYear("due_at"))
    grouped = live.values("year", "class_code", "currency").annotate(
        count=Count("id"),
        billed=Sum("amount_minor"),
        paid=Sum("amount_minor", filter=Q(status=InvoiceStatus.PAID)),
        outstanding=Sum(
            "amount_minor", filter=Q(status__in=[InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE])
        ),
        overdue=Sum(
            "amount_minor",
            filter=Q(status__in=[InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE], due_at__lte=now),
        ),
    )
    names = class_names()
    rows = [
        TreasuryRow(
            year=g["year"],
            class_code=g["class_code"],
            class_name=names.get(g["class_code"], g["class_code"]),
            currency=g["currency"],
            invoices=g["count"],
            billed=g["billed"] or 0,
            paid=g["paid"] or 0,
            outstanding=g["outstanding"] or 0,
            overdue=g["overdue"] or 0,
        )
        for g in grouped
    ]
    return sorted(rows, key=lambda r: (-r.year, r.class_code, r.currency))


def revenue_by_month(*, months: int = 12) -> dict[str, list[tuple[dt.date, int]]]:
    """Dues paid per calendar month and currency, oldest first, net of refunds.

    The same money the CSV export calls paid: payments applied to invoices marked paid
    (in-kind dues at the invoice's value included), by the date they were received; a payment
    on an invoice still open (a mismatched amount held for the treasurer) or held as a credit
    does not count. Months begin at midnight in the site's time zone.
    """
    zone = get_current_timezone()
    now = clock.now().astimezone(zone)
    index = now.year * 12 + now.month - 1 - (months - 1)
    start = dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)
    rows = (
        Payment.objects.filter(
            received_at__gte=start,
            received_at__lte=now,
            invoice__status=InvoiceStatus.PAID,
            outcome=PaymentOutcome.APPLIED,
        )
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
        .values("month", "currency")
        .annotate(total=Sum("amount_minor"), refunded=Sum("refunded_minor"))
    )
    totals: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        month = row["month"]
        month = month.astimezone(zone).date() if isinstance(month, dt.datetime) else month
        totals[row["currency"]][month] += (row["total"] or 0) - (row["refunded"] or 0)
    series: dict[str, list[tuple[dt.date, int]]] = {}
    for currency, by_month in totals.items():
        points = []
        cursor = start.date()
        while cursor <= now.date():
            points.append((cursor, by_month.get(cursor, 0)))
            cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
        series[currency] = points
    return series


def open_flags() -> QuerySet[BillingFlag]:
    return BillingFlag.objects.filter(resolved_at__isnull=True).select_related("invoice", "payment")


def failed_stripe_events() -> QuerySet[StripeEvent]:
    """Events processing gave up on, newest first: they wait for the treasurer."""
    return StripeEvent.objects.filter(outcome=StripeEvent.Outcome.FAILED).order_by("-failed_at", "-id")


def invoices_for_export() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("organisation").order_by("due_at", "number")


def credits_total() -> dict[str, int]:
    rows = (
        Payment.objects.filter(outcome=PaymentOutcome.CREDIT)
        .values("currency")
        .annotate(t=Sum("amount_minor"))
    )
    return {r["currency"]: r["t"] or 0 for r in rows}


def treasury_invoices(*, status: str = "") -> QuerySet[Invoice]:
    """Every invoice for the treasurer's list, newest due first, optionally of one status."""
    invoices = Invoice.objects.select_related("organisation").order_by("-due_at", "-id")
    return invoices.filter(status=status) if status else invoices
