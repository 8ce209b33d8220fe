"""Random membership histories for the property tests: one step of a history at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from hypothesis import strategies as st

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
from tests.factories import OrganisationFactory, UserFactory, register_decision

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


def history_steps(*, max_days: int, max_size: int) -> st.SearchStrategy[list[tuple[int, str, int, int]]]:
    """Random steps ``(who, op, days after START, pick)`` for up to four memberships."""
    return st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3),
            st.sampled_from(OPS),
            st.integers(min_value=0, max_value=max_days),
            st.integers(min_value=0, max_value=5),
        ),
        max_size=max_size,
    )


def start_memberships(organisations: Sequence[bool]) -> list[Membership]:
    """One membership per flag, its term started at START: an organisation's (gold, with a
    representative) or a person's (individual)."""
    core_clock.freeze(START)
    memberships = []
    for is_org in organisations:
        if is_org:
            org = OrganisationFactory(representative=UserFactory(verified=False))
            m = Membership.objects.create(organisation=org, class_code="gold")
        else:
            m = Membership.objects.create(user=UserFactory(verified=False), class_code="individual")
        memberships.append(membership_start_term(membership=m, at=START))
    return memberships


def play(
    steps: Sequence[tuple[int, str, int, int]],
    memberships: list[Membership],
    *,
    until: dt.datetime | None = None,
) -> None:
    """Take ``steps`` in time order, the clock at each one's moment (``pick`` hours into its
    day); steps after ``until`` are not taken."""
    for who, op, days_later, pick in sorted(steps, key=lambda s: s[2]):
        moment = START + dt.timedelta(days=days_later, hours=pick)
        if until is not None and moment > until:
            break
        core_clock.freeze(moment)
        apply_op(op, memberships[who % len(memberships)], pick)
