"""What a member decides about their own membership: leaving, and the directory listing."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from members.models import Membership, Reminder
from members.permissions import can_act_for_membership
from members.services.transitions import membership_end


def membership_leave(*, membership: Membership, actor: Any) -> Membership:
    """The member leaves the foundation; the number and history stay."""
    require(
        can_act_for_membership(actor, membership),
        _("You cannot end this membership."),
        code="not_your_membership",
    )
    with transaction.atomic():
        membership_end(membership=membership, actor=actor, reason=_("Left the foundation."))
        Reminder.objects.filter(membership=membership, dismissed_at__isnull=True).update(
            dismissed_at=clock.now()
        )
    return membership


def membership_set_directory_listing(*, membership: Membership, listed: bool, actor: Any) -> Membership:
    """A member chooses whether they appear in the public directory."""
    require(
        can_act_for_membership(actor, membership),
        _("You cannot change this listing."),
        code="not_your_membership",
    )
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
