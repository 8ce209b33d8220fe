"""Who may do what with dues: ``can_<verb>_<thing>(user, obj=None) -> bool``.

Views guard themselves with these through ``core.access.permission_required``; the
services that act for a person call the same check for their ``actor``.
"""

from __future__ import annotations

from typing import Any

from core.access import acts_as, is_authenticated
from core.models import Role
from members.models import Organisation


def can_view_treasury(user: Any, obj: Any = None) -> bool:
    """The treasurer's pages: dues billed, paid and outstanding, the export."""
    return acts_as(user, Role.TREASURER, Role.STAFF)


def can_record_in_kind_dues(user: Any, obj: Any = None) -> bool:
    """Record dues paid in kind (the board's decision is cited with them)."""
    return acts_as(user, Role.TREASURER, Role.STAFF)


def can_resolve_billing_flag(user: Any, obj: Any = None) -> bool:
    """Mark a payment problem flagged for the treasurer as dealt with."""
    return acts_as(user, Role.TREASURER, Role.STAFF)


def can_retry_stripe_event(user: Any, obj: Any = None) -> bool:
    """Put a Stripe event that failed back to pending: the treasurer alone, who answers
    for the books (staff see the failure but do not replay payments)."""
    return acts_as(user, Role.TREASURER)


def can_view_own_billing(user: Any, obj: Any = None) -> bool:
    """The billing index: any signed-in person, shown the organisations whose billing they manage."""
    return is_authenticated(user)


def can_manage_billing(user: Any, organisation: Organisation) -> bool:
    """Pay, and see, an organisation's dues: the representative, the alternate, an
    organisation admin, or the billing contact (by email address)."""
    if not is_authenticated(user):
        return False
    if user.pk in (organisation.representative_id, organisation.alternate_id):
        return True
    if (
        organisation.billing_contact_email
        and user.email.casefold() == organisation.billing_contact_email.casefold()
    ):
        return True
    return organisation.admins.filter(pk=user.pk).exists()


def can_download_invoice(user: Any, invoice: Any) -> bool:
    """The PDF invoice and receipt: the organisation's billing people (as ``can_manage_billing``)
    and the treasurer or staff (two-factor, through ``acts_as``)."""
    return can_manage_billing(user, invoice.organisation) or acts_as(user, Role.TREASURER, Role.STAFF)
