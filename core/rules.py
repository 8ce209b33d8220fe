"""Reading the rule set in force."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.errors import NotFound
from core.models import RuleSet


def rules_in_force(*, at: dt.datetime | None = None) -> RuleSet:
    """The rule set version in force at ``at`` (now by default)."""
    at = at or clock.now()
    rule_set = RuleSet.objects.filter(effective_from__lte=at).order_by("-effective_from", "-version").first()
    if rule_set is None:
        raise NotFound("No rule set is in force at that moment.", code="no_rule_set")
    return rule_set
