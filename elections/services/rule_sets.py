"""The elections part of a rule-set version, as the board drafts it.

Registered with ``core.rules.register_rule_set_part`` in ``ElectionsConfig.ready()``: when
governance drafts a new version it calls these, never importing elections. The governance
service has already checked who acts, locked the draft and writes the audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict, ValidationFailed
from core.models import RuleSet
from core.rules import RuleSetPart, check_day_list, check_model_fields, field_label
from elections.models import ElectionRules
from elections.rules import election_rules_for

EDITABLE = tuple(f.name for f in ElectionRules._meta.concrete_fields if f.name not in {"id", "rule_set"})


def election_rules_copy(*, source: RuleSet, draft: RuleSet) -> None:
    """Give ``draft`` a copy of ``source``'s election numbers."""
    original = election_rules_for(rule_set=source)
    ElectionRules.objects.create(rule_set=draft, **{name: getattr(original, name) for name in EDITABLE})


def election_rules_of(rule_set: RuleSet) -> models.Model:
    return election_rules_for(rule_set=rule_set)


def election_rules_update(*, rule_set: RuleSet, values: Mapping[str, Any]) -> list[str]:
    """Validate and save edited election numbers of the draft ``rule_set``; return what changed."""
    if not rule_set.is_draft:
        raise Conflict(_("An adopted rule set is never edited."), code="rule_set_adopted")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("Unknown election rule: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="unknown_rule",
        )
    rules = ElectionRules.objects.select_for_update().get(pk=election_rules_for(rule_set=rule_set).pk)
    changed = [name for name in EDITABLE if name in values and getattr(rules, name) != values[name]]
    for name in changed:
        setattr(rules, name, values[name])
    check_model_fields(rules, changed)
    rules.voting_reminder_offsets_days = check_day_list(
        rules.voting_reminder_offsets_days,
        field="voting_reminder_offsets_days",
        label=field_label(ElectionRules, "voting_reminder_offsets_days"),
        maximum=366,
    )
    _check(rules)
    rules.save()
    return changed


def _check(rules: ElectionRules) -> None:
    def refuse(message: str, field: str) -> None:
        raise ValidationFailed(message, code="invalid_rule", detail={"field": field})

    if rules.nominations_open_days <= rules.nominations_close_days:
        refuse(_("Nominations must open before they close."), "nominations_open_days")
    if rules.min_voting_days < 1:
        refuse(_("Voting lasts at least one day."), "min_voting_days")
    for name in ("quorum_members_percent", "quorum_weight_percent"):
        if getattr(rules, name) > 100:
            refuse(_("A share is at most 100%."), name)
    if rules.max_extensions and rules.extension_days < 1:
        refuse(_("An extension lasts at least one day."), "extension_days")
    if rules.count_time_budget_seconds < 1:
        refuse(_("The count needs a time budget of at least one second."), "count_time_budget_seconds")
    if rules.turnout_min_class_size < 1:
        refuse(_("A class is published on its own from at least one voter."), "turnout_min_class_size")


ELECTION_RULES_PART = RuleSetPart(
    key="elections",
    label=gettext_lazy("Elections"),
    copy=election_rules_copy,
    instance=election_rules_of,
    fields=EDITABLE,
    update=election_rules_update,
)
