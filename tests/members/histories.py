"""Random membership histories for the property tests: one step of a history at a time."""

from __future__ import annotations

import datetime as dt

from core import clock as core_clock
from core.errors import Conflict
from members.models import Membership
from members.services.transitions import (
    membership_apply_schedule,
    membership_end,
    membership_reinstate,
    membership_renew,
    membership_start_term,
    membership_suspend,
    membership_transition,
)
from tests.factories import register_decision

#: When the histories begin.
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
#: Every step a history may take ("class" changes the membership's class).
OPS = ["renew", "suspend", "reinstate", "end", "schedule", "restart", "class"]
INDIVIDUAL_CLASSES = ["individual", "mirror"]
ORG_CLASSES = ["gold", "silver", "ruby"]


def apply_op(op: str, membership: Membership, pick: int = 0) -> None:
    """Take step ``op``; a step the state does not allow leaves the history unchanged."""
    membership.refresh_from_db()
    try:
        if op == "renew":
            membership_renew(membership=membership)
        elif op == "suspend":
            membership_suspend(
                membership=membership,
                actor=None,
                reason="r",
                notice_date=core_clock.today(),
                decision_number=register_decision().number,
            )
        elif op == "reinstate":
            membership_reinstate(
                membership=membership, actor=None, decision_number=register_decision().number
            )
        elif op == "end":
            membership_end(membership=membership, actor=None)
        elif op == "schedule":
            membership_apply_schedule()
        elif op == "restart":
            membership_start_term(membership=membership)
        elif op == "class":
            codes = ORG_CLASSES if membership.organisation_id else INDIVIDUAL_CLASSES
            membership_transition(
                membership=membership,
                to_state=membership.state,
                kind="class_changed",
                class_code=codes[pick % 3 % len(codes)],
            )
    except Conflict:
        pass  # not allowed from this state: the history simply does not change
