"""Rule-set versions: the board drafts one, edits its numbers and classes, and adopts it by a decision.

A draft (``effective_from`` empty) copies the newest adopted version with its membership
classes and every part another app keeps per version (``core.rules.register_rule_set_part``:
the election numbers). Only a draft is edited, and only until an adopted decision of the
register points at it; adopting it sets the day it takes effect, after which it never
changes. Each step checks ``can_manage_board`` and writes an audit entry.

Locks: the rule-set row (the newest version's when drafting), then the decision row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, NotFound, ValidationFailed
from core.models import RuleSet
from core.rules import check_day_list, check_model_fields, field_label, rule_set_part, rule_set_parts
from governance import permissions
from governance.models import Decision, DecisionKind, Outcome
from governance.services.common import change_record
from members.models import Membership, MembershipClass, MembershipState

#: Set by the service, never edited: what the version is and when it took effect.
FIXED_FIELDS = frozenset({"id", "version", "effective_from", "adopted_by", "created_at"})
EDITABLE_FIELDS = tuple(f.name for f in RuleSet._meta.concrete_fields if f.name not in FIXED_FIELDS)
CLASS_FIELDS = tuple(
    f.name for f in MembershipClass._meta.concrete_fields if f.name not in {"id", "rule_set"}
)
#: Decisions that may adopt a rule-set version (as ``decision_record`` checks).
ADOPTING_KINDS = (DecisionKind.RULE_SET_CHANGE, DecisionKind.BYLAWS_AMENDMENT)


def _check_actor(actor: Any) -> None:
    require(
        permissions.can_manage_board(actor),
        _("Only the secretary or the chair drafts and adopts the rule set."),
    )


def _refuse(message: str, field: str, code: str = "invalid_rule") -> None:
    raise ValidationFailed(message, code=code, detail={"field": field})


def newest_adopted() -> RuleSet:
    """The adopted version that takes (or took) effect last: what a new draft starts from."""
    latest = (
        RuleSet.objects.filter(effective_from__isnull=False).order_by("-effective_from", "-version").first()
    )
    if latest is None:
        raise NotFound(_("No rule set has been adopted yet."), code="no_rule_set")
    return latest


def adoptable_decisions(rule_set: RuleSet) -> QuerySet[Decision]:
    """Adopted decisions of the register that may adopt ``rule_set``: a rule-set change or a
    bylaws amendment that adopts no other version."""
    return (
        Decision.objects.filter(outcome=Outcome.ADOPTED, kind__in=ADOPTING_KINDS)
        .filter(Q(adopts_rule_set__isnull=True) | Q(adopts_rule_set=rule_set))
        .order_by("-number")
    )


# --- Draft ----------------------------------------------------------------------------------------


def rule_set_draft(*, actor: Any) -> RuleSet:
    """Start version N+1 as a copy of the newest adopted version, its classes and its parts."""
    _check_actor(actor)
    with transaction.atomic():
        # Locking the newest row queues concurrent drafts: the second then finds the first.
        newest = RuleSet.objects.select_for_update().order_by("-version").first()
        draft = RuleSet.objects.filter(effective_from__isnull=True).first()
        if draft is not None:
            raise Conflict(
                _("Version %(version)s is already being drafted: edit it or adopt it first.")
                % {"version": draft.version},
                code="draft_exists",
            )
        source = newest_adopted()
        values = {name: getattr(source, name) for name in EDITABLE_FIELDS if name not in {"notes"}}
        draft = RuleSet.objects.create(
            version=(newest.version if newest else 0) + 1,
            effective_from=None,
            adopted_by="",
            created_at=clock.now(),
            **values,
        )
        MembershipClass.objects.bulk_create(
            MembershipClass(rule_set=draft, **{name: getattr(klass, name) for name in CLASS_FIELDS})
            for klass in MembershipClass.objects.filter(rule_set=source).order_by("position", "code")
        )
        for part in rule_set_parts():
            part.copy(source=source, draft=draft)
        audit_record(
            actor=actor,
            action="rule_set.drafted",
            obj=draft,
            data={"version": draft.version, "from_version": source.version},
        )
    return draft


# --- Edit ------------------------------------------------------------------------------------------


def _lock_draft(rule_set: RuleSet) -> RuleSet:
    try:
        locked = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    except RuleSet.DoesNotExist:
        raise NotFound(_("No such rule-set version."), code="rule_set_not_found") from None
    if not locked.is_draft:
        raise Conflict(
            _("Version %(version)s is adopted: it never changes. Draft a new version instead.")
            % {"version": locked.version},
            code="rule_set_adopted",
        )
    return locked


def rule_set_update(
    *,
    actor: Any,
    rule_set: RuleSet,
    classes: Iterable[Mapping[str, Any]] | None = None,
    parts: Mapping[str, Mapping[str, Any]] | None = None,
    **fields: Any,
) -> RuleSet:
    """Change numbers of the draft ``rule_set``.

    ``fields`` are ``RuleSet`` fields; ``classes`` (when given) is the draft's whole list of
    membership classes (rows of ``CLASS_FIELDS``, by ``code``: missing codes are removed);
    ``parts`` maps a registered part's key to its changed values. All or nothing.
    """
    _check_actor(actor)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These rules cannot be edited: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="unknown_rule",
        )
    with transaction.atomic():
        locked = _lock_draft(rule_set)
        decided = Decision.objects.filter(adopts_rule_set=locked, outcome=Outcome.ADOPTED).first()
        if decided is not None:
            raise Conflict(
                _("The board adopted version %(version)s by %(decision)s: it no longer changes.")
                % {"version": locked.version, "decision": decided.reference},
                code="rule_set_decided",
            )
        changed = [
            name for name in EDITABLE_FIELDS if name in fields and getattr(locked, name) != fields[name]
        ]
        for name in changed:
            setattr(locked, name, fields[name])
        check_model_fields(locked, changed)
        _check_rule_set(locked)
        locked.save()
        class_changes = _replace_classes(locked, list(classes)) if classes is not None else {}
        part_changes: dict[str, dict[str, Any]] = {}
        for key, values in (parts or {}).items():
            part = rule_set_part(key)
            if part is None:
                raise ValidationFailed(_("Unknown part of the rule set: %(key)s.") % {"key": key})
            names = part.update(rule_set=locked, values=values)
            if names:
                instance = part.instance(locked)
                part_changes[key] = {name: getattr(instance, name) for name in names}
        audit_record(
            actor=actor,
            action="rule_set.updated",
            obj=locked,
            data={
                "version": locked.version,
                "fields": {name: getattr(locked, name) for name in changed},
                "classes": class_changes,
                "parts": part_changes,
            },
        )
    return locked


def _check_fraction(rules: RuleSet, prefix: str, label: str) -> None:
    numerator = getattr(rules, f"{prefix}_numerator")
    denominator = getattr(rules, f"{prefix}_denominator")
    if denominator < 1:
        _refuse(
            _("%(label)s: the denominator must be at least 1.") % {"label": label}, f"{prefix}_denominator"
        )
    if not 0 < numerator <= denominator:
        _refuse(
            _("%(label)s: the numerator must be between 1 and the denominator.") % {"label": label},
            f"{prefix}_numerator",
        )


def _check_rule_set(rules: RuleSet) -> None:
    """The numbers must make sense together (each field's own range is the model's)."""
    if not rules.name.strip():
        _refuse(_("A version needs a name."), "name")
    _check_fraction(rules, "board_quorum", _("Board quorum"))
    _check_fraction(rules, "majority", _("Ordinary majority"))
    _check_fraction(rules, "supermajority", _("Supermajority"))
    if rules.supermajority_numerator * rules.majority_denominator < (
        rules.majority_numerator * rules.supermajority_denominator
    ):
        _refuse(
            _("The supermajority cannot be smaller than the ordinary majority."), "supermajority_numerator"
        )
    if rules.board_min_size < 1:
        _refuse(_("The board has at least one seat."), "board_min_size")
    if not rules.board_min_size <= rules.board_normal_min_size <= rules.board_max_size:
        _refuse(
            _(
                "Board sizes: the minimum, then the normal minimum, then the maximum, each at least the one before."
            ),
            "board_normal_min_size",
        )
    for name in (
        "board_max_per_group",
        "board_term_years",
        "board_consecutive_terms",
        "membership_term_days",
    ):
        if getattr(rules, name) < 1:
            _refuse(_("%(label)s: at least 1.") % {"label": field_label(RuleSet, name)}, name)
    for name in ("lobbying_share_percent", "board_partial_term_counts_above_percent"):
        if getattr(rules, name) > 100:
            _refuse(_("A share is at most 100%."), name)
    rules.reminder_offsets_days = check_day_list(
        rules.reminder_offsets_days,
        field="reminder_offsets_days",
        label=field_label(RuleSet, "reminder_offsets_days"),
        maximum=rules.membership_term_days,
    )
    cohorts = rules.board_cohorts
    if (
        not isinstance(cohorts, list)
        or not cohorts
        or not all(isinstance(c, str) and 0 < len(c.strip()) <= 10 for c in cohorts)
        or len({c.strip() for c in cohorts}) != len(cohorts)
    ):
        _refuse(_('Board cohorts: a list of distinct short names, such as ["A", "B"].'), "board_cohorts")
    rules.board_cohorts = [c.strip() for c in cohorts]
    types = rules.supermajority_decision_types
    if (
        not isinstance(types, list)
        or not set(types) <= set(DecisionKind.values)
        or len(set(types)) != len(types)
    ):
        _refuse(
            _("Decision types that need the supermajority: a list of %(kinds)s.")
            % {"kinds": ", ".join(DecisionKind.values)},
            "supermajority_decision_types",
        )


def _check_class(klass: MembershipClass) -> None:
    """One class's own fields (weights and dues are whole numbers of at least 0)."""
    prefix = _("Class “%(code)s”") % {"code": klass.code or "?"}
    try:
        check_model_fields(klass, CLASS_FIELDS)
    except ValidationFailed as exc:
        _refuse(f"{prefix}: {exc.message}", "classes")
    klass.currency = klass.currency.upper()
    if not (len(klass.currency) == 3 and klass.currency.isalpha() and klass.currency.isascii()):
        _refuse(
            _("%(prefix)s: a currency is a three-letter code such as USD.") % {"prefix": prefix}, "classes"
        )
    if not klass.name.strip():
        _refuse(_("%(prefix)s: a class needs a name.") % {"prefix": prefix}, "classes")


def _replace_classes(rules: RuleSet, rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Make the draft's classes exactly ``rows``; return what was added, removed and changed."""
    if not rows:
        _refuse(_("A rule set has at least one membership class."), "classes")
    existing = {k.code: k for k in MembershipClass.objects.select_for_update().filter(rule_set=rules)}
    seen: set[str] = set()
    keep: list[tuple[MembershipClass, list[str]]] = []
    for row in rows:
        unknown = set(row) - set(CLASS_FIELDS)
        if unknown:
            raise ValidationFailed(
                _("Unknown class field: %(names)s.") % {"names": ", ".join(sorted(unknown))},
                code="unknown_rule",
            )
        code = str(row.get("code") or "").strip()
        if code in seen:
            _refuse(_("Class code “%(code)s” appears twice.") % {"code": code}, "classes")
        seen.add(code)
        klass = existing.get(code) or MembershipClass(rule_set=rules, code=code)
        names = [n for n in CLASS_FIELDS if n in row and n != "code" and getattr(klass, n) != row[n]]
        for name in names:
            setattr(klass, name, row[name])
        keep.append((klass, names))
        _check_class(klass)
    removed = sorted(set(existing) - seen)
    held = sorted(
        Membership.objects.filter(class_code__in=removed)
        .exclude(state=MembershipState.ENDED)
        .values_list("class_code", flat=True)
        .distinct()
    )
    if held:
        _refuse(
            _("Members hold the class(es) %(codes)s: keep them in the new version.")
            % {"codes": ", ".join(held)},
            "classes",
            code="class_in_use",
        )
    MembershipClass.objects.filter(rule_set=rules, code__in=removed).delete()
    added: list[str] = []
    changed: dict[str, dict[str, Any]] = {}
    for klass, names in keep:
        if klass.pk is None:
            klass.save()
            added.append(klass.code)
        elif names:
            klass.save(update_fields=names)
            changed[klass.code] = {name: getattr(klass, name) for name in names}
    return {"added": added, "removed": removed, "changed": changed} if (added or removed or changed) else {}


# --- Adopt -----------------------------------------------------------------------------------------


def rule_set_adopt(*, actor: Any, rule_set: RuleSet, decision: Decision, effective_from: dt.date) -> RuleSet:
    """Put the draft ``rule_set`` into effect on ``effective_from`` (today or later) by ``decision``.

    ``decision`` is an adopted rule-set change or bylaws amendment of the register that adopts
    no other version; it is linked to this version (``Decision.adopts_rule_set``).
    """
    _check_actor(actor)
    now = clock.now()
    today = now.astimezone(dt.UTC).date()
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        _refuse(_("Give the day the version takes effect."), "effective_from")
    if effective_from < today:
        _refuse(_("A version cannot take effect in the past."), "effective_from")
    at = now if effective_from == today else dt.datetime.combine(effective_from, dt.time.min, tzinfo=dt.UTC)
    with transaction.atomic():
        locked = _lock_draft(rule_set)
        try:
            chosen = Decision.objects.select_for_update().get(pk=decision.pk)
        except Decision.DoesNotExist:
            raise NotFound(_("No such decision."), code="decision_not_found") from None
        if chosen.outcome != Outcome.ADOPTED:
            _refuse(
                _("%(decision)s was not adopted.") % {"decision": chosen.reference}, "decision", "not_adopted"
            )
        if chosen.kind not in ADOPTING_KINDS:
            _refuse(
                _("A rule-set version is adopted by a rule-set change or a bylaws amendment."),
                "decision",
                "wrong_kind",
            )
        if chosen.adopts_rule_set_id not in (None, locked.pk):
            raise Conflict(
                _("%(decision)s adopted another version.") % {"decision": chosen.reference},
                code="decision_used",
                detail={"field": "decision"},
            )
        latest = newest_adopted()
        if latest.effective_from is not None and at < latest.effective_from:
            _refuse(
                _(
                    "Version %(version)s takes effect on %(day)s: a later version cannot take effect before it."
                )
                % {"version": latest.version, "day": date_format(latest.effective_from, "Y-m-d")},
                "effective_from",
            )
        locked.effective_from = at
        locked.adopted_by = f"{chosen.reference} {chosen.title}"[:300]
        locked.save(update_fields=["effective_from", "adopted_by"])
        if chosen.adopts_rule_set_id is None:
            Decision.objects.filter(pk=chosen.pk).update(adopts_rule_set=locked)
        change_record(
            item_type="rule_set",
            item_label=str(locked),
            url=reverse("governance:rules"),
            summary=_("Adopted; in force from %(day)s") % {"day": date_format(at, "Y-m-d")},
            reason=chosen.reference,
        )
        audit_record(
            actor=actor,
            action="rule_set.adopted",
            obj=locked,
            data={"version": locked.version, "decision": chosen.number, "effective_from": at},
        )
    return locked
