"""Frozen rolls for governance's control figures (registered in ``ElectionsConfig.ready()``).

Governance sits below elections and cannot read rolls itself: it calls this source
through ``governance.control_elections.register_frozen_rolls``. Only the rows that can
belong to a group (``governance.control_groups.ROLL_SUBJECT_TYPES``) are handed over;
the roll's total weight is the one stored when it was frozen.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse

from elections.models import Election, ElectionState, RollEntry
from elections.rules import election_rules_for
from governance.control_elections import RollSummary
from governance.control_groups import ROLL_SUBJECT_TYPES


def frozen_rolls(*, at: dt.datetime, limit: int = 5) -> list[RollSummary]:
    """The ``limit`` latest elections (not cancelled) whose roll was frozen by ``at``. Two queries."""
    elections = list(
        Election.objects.filter(roll_frozen_at__isnull=False, roll_frozen_at__lte=at)
        .exclude(state=ElectionState.CANCELLED)
        .select_related("rule_set")
        .annotate(seat_count=Count("seats", distinct=True))
        .order_by("-roll_frozen_at", "slug")[:limit]
    )
    rows: dict[int, list[tuple[str, str, int]]] = {e.pk: [] for e in elections}
    entries = (
        RollEntry.objects.filter(election__in=[e.pk for e in elections], subject_type__in=ROLL_SUBJECT_TYPES)
        .order_by("election_id", "member_number")
        .values_list("election_id", "member_number", "subject_type", "weight")
    )
    for election_id, number, subject_type, weight in entries:
        rows[election_id].append((number, subject_type, weight))
    return [
        RollSummary(
            slug=e.slug,
            title=e.title,
            url=reverse("elections:detail", args=[e.slug]),
            method=e.method,
            method_label=str(e.get_method_display()),
            state_label=str(e.get_state_display()),
            seats=e.seat_count,
            approval_max_marks=e.approval_max_marks,
            frozen_at=e.roll_frozen_at or at,
            total_weight=e.roll_weight,
            rows=rows[e.pk],
            min_group_size=election_rules_for(rule_set=e.rule_set).turnout_min_class_size,
        )
        for e in elections
    ]
