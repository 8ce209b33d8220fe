"""Reading the rule set in force, and the registry of the parts other apps keep per version.

A rule-set version is ``core.RuleSet`` plus rows other apps own (the elections app's
``ElectionRules``). When the board drafts a new version (``governance/services/rules.py``),
every registered part copies its row from the version drafted from and lets the board edit
it, so core and governance never import the app that owns the part: the higher app calls
:func:`register_rule_set_part` in its ``AppConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core import clock
from core.errors import NotFound, ValidationFailed
from core.models import RuleSet


def rules_in_force(*, at: dt.datetime | None = None) -> RuleSet:
    """The rule set version in force at ``at`` (now by default). Drafts are never in force."""
    at = at or clock.now()
    rule_set = (
        RuleSet.objects.filter(effective_from__isnull=False, effective_from__lte=at)
        .order_by("-effective_from", "-version")
        .first()
    )
    if rule_set is None:
        raise NotFound("No rule set is in force at that moment.", code="no_rule_set")
    return rule_set


@dataclass(frozen=True)
class RuleSetPart:
    """A row another app keeps for each rule-set version.

    - ``copy(source=, draft=)`` creates the draft's row from the source version's (inside the
      drafting transaction);
    - ``instance(rule_set)`` returns the version's row (for the edit form);
    - ``fields`` are the names the board may edit;
    - ``update(rule_set=, values=)`` validates and saves edited values on a draft, raising
      ``core.errors.ValidationFailed`` (with ``detail={"field": name}``) on bad input; it
      returns the names it changed.
    """

    key: str
    label: str | Promise
    copy: Callable[..., None]
    instance: Callable[[RuleSet], models.Model]
    fields: tuple[str, ...]
    update: Callable[..., list[str]]


_PARTS: dict[str, RuleSetPart] = {}


def register_rule_set_part(part: RuleSetPart) -> None:
    """Register ``part`` once (by key); called from an ``AppConfig.ready()``."""
    _PARTS[part.key] = part


def rule_set_parts() -> list[RuleSetPart]:
    return list(_PARTS.values())


def rule_set_part(key: str) -> RuleSetPart | None:
    return _PARTS.get(key)


# --- Checks shared by the services that edit a draft version -----------------------------------


def field_label(model: type[models.Model] | models.Model, name: str) -> str:
    """A concrete field's verbose name, as the forms and pages show it."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def check_model_fields(instance: models.Model, names: Iterable[str]) -> None:
    """Run the model's own field validation (types, ranges, choices) on ``names``.

    Raises ``ValidationFailed`` naming the first bad field, so a service refuses what a
    form would have refused, whoever calls it.
    """
    names = set(names)
    exclude = [f.name for f in instance._meta.concrete_fields if f.name not in names]
    try:
        instance.clean_fields(exclude=exclude)
    except DjangoValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        label = field_label(instance, field) if field in names else field
        raise ValidationFailed(
            f"{capfirst(str(label))}: {' '.join(errors)}", code="invalid_rule", detail={"field": field}
        ) from None


def check_day_list(value: Any, *, field: str, label: str, maximum: int = 3660) -> list[int]:
    """A list of whole days (reminder offsets): integers from 0 to ``maximum``, no repeats."""
    if not isinstance(value, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= maximum for d in value
    ):
        raise ValidationFailed(
            _("%(label)s: a list of whole numbers of days between 0 and %(max)s, such as [30, 7, 1].")
            % {"label": capfirst(label), "max": maximum},
            code="invalid_rule",
            detail={"field": field},
        )
    if len(set(value)) != len(value):
        raise ValidationFailed(
            _("%(label)s: each day only once.") % {"label": capfirst(label)},
            code="invalid_rule",
            detail={"field": field},
        )
    return sorted(value, reverse=True)
