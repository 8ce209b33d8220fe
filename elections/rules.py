"""Reading the election rules in force (the election articles of the rule set)."""

from __future__ import annotations

import datetime as dt

from core.models import RuleSet
from core.rules import rules_in_force
from elections.models import ElectionRules


def election_rules_for(*, rule_set: RuleSet) -> ElectionRules:
    """The election rules of ``rule_set``; a version without its own row gets the reference values.

    Migrations give every existing version a row; a version added later without one is
    read with the shipped reference numbers (the model defaults), stored once.
    """
    rules, _ = ElectionRules.objects.get_or_create(rule_set=rule_set)
    return rules


def election_rules_in_force(*, at: dt.datetime | None = None) -> ElectionRules:
    """The election rules of the rule-set version in force at ``at`` (now by default)."""
    return election_rules_for(rule_set=rules_in_force(at=at))
