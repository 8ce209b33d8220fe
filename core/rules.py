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


# --- The rule set per version, cached in this process ----------------------------------------
#
# Why cache by id, and ask the database which id is in force: a version's rows are immutable
# once adopted (the board edits only drafts, and drafts are never in force, so never cached
# here), but *which* version is in force changes with time alone (a version takes effect on
# its date) and when another process adopts a version that takes effect today. A cached list
# of versions would need a TTL (stale answers in the other gunicorn workers until it runs
# out) or a version check costing a query anyway. "Which id is in force at t" is one indexed
# row that the caller can fold into the query it makes anyway (``in_force_id`` as a
# subquery: the voting-rights API reads membership, snapshot and rule-set id in one query),
# so answers are exact in every process and only the immutable contents are cached.
# Saving or deleting a rule set (or a part registered below) clears this process's cache.

_BY_ID: dict[int, RuleSet] = {}
_CACHE_CLEARERS: list[Callable[[], None]] = []


def in_force_id(at: dt.datetime) -> Any:
    """The id of the version in force at ``at``: a one-row query, or a ``Subquery`` to embed."""
    return (
        RuleSet.objects.filter(effective_from__isnull=False, effective_from__lte=at)
        .order_by("-effective_from", "-version")
        .values("id")[:1]
    )


def rule_set_cached(pk: int) -> RuleSet:
    """Version ``pk``, shared by every caller in this process: read it, never change it."""
    rule_set = _BY_ID.get(pk)
    if rule_set is None:
        rule_set = RuleSet.objects.get(pk=pk)
        if rule_set.effective_from is not None:  # adopted: immutable from now on
            _BY_ID[pk] = rule_set
    return rule_set


def rules_in_force_cached(*, at: dt.datetime | None = None) -> RuleSet:
    """``rules_in_force``, with one cheap indexed query for the id and the contents cached."""
    pk = in_force_id(at or clock.now()).first()
    if pk is None:
        raise NotFound("No rule set is in force at that moment.", code="no_rule_set")
    return rule_set_cached(pk["id"])


def register_rule_set_cache(clear: Callable[[], None]) -> None:
    """Another app's per-version cache (the members' classes), cleared with this one."""
    if clear not in _CACHE_CLEARERS:
        _CACHE_CLEARERS.append(clear)


def forget_cached_rule_sets(*args: Any, **kwargs: Any) -> None:
    """Clear this process's rule-set caches (a signal receiver: any arguments)."""
    _BY_ID.clear()
    for clear in _CACHE_CLEARERS:
        clear()


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
