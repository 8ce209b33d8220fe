"""The arithmetic of board decisions: quorum, majorities and outcomes (pure functions).

Every fraction and base comes from the rule set; nothing here knows the reference
foundation's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.models import RuleSet
from governance.models import MeetingKind, Outcome


def threshold(base: int, numerator: int, denominator: int, *, strict: bool) -> int:
    """The smallest count that is more than (``strict``) or at least ``base × n / d``."""
    if strict:
        return base * numerator // denominator + 1
    return -(-base * numerator // denominator)


@dataclass(frozen=True)
class Tally:
    in_office: int
    present: int  # directors present (including any who recused)
    yes: int
    no: int
    abstain: int
    recused: int
    absent: int


@dataclass(frozen=True)
class Result:
    needs_supermajority: bool
    required_rule: str
    quorum_required: int
    quorum_present: bool
    required_yes: int
    outcome: str


def quorum_required(rules: RuleSet, in_office: int) -> int:
    return threshold(
        in_office,
        rules.board_quorum_numerator,
        rules.board_quorum_denominator,
        strict=rules.board_quorum_strict,
    )


def quorum_count(rules: RuleSet, *, present: int, recused: int) -> int:
    """Directors who count toward quorum: recused ones only if the rules say so."""
    return present if rules.recused_count_for_quorum else present - recused


def _base(kind: str, tally: Tally) -> int:
    if kind == "cast":
        return tally.yes + tally.no
    if kind == "present":
        return tally.present
    return tally.in_office


def _base_label(kind: str) -> str:
    return {
        "cast": _("votes cast"),
        "present": _("directors present"),
        "in_office": _("directors in office"),
    }[kind]


def decide_outcome(*, rules: RuleSet, decision_kind: str, meeting_kind: str, tally: Tally) -> Result:
    needs_super = decision_kind in set(rules.supermajority_decision_types)
    if needs_super:
        num, den, strict, base_kind = (
            rules.supermajority_numerator,
            rules.supermajority_denominator,
            rules.supermajority_strict,
            rules.supermajority_base,
        )
    else:
        num, den, strict, base_kind = (
            rules.majority_numerator,
            rules.majority_denominator,
            rules.majority_strict,
            rules.majority_base,
        )
    base = _base(base_kind, tally)
    required_yes = max(threshold(base, num, den, strict=strict), 1)
    rule = (
        _("%(kind)s: more than %(num)s/%(den)s of %(base)s (%(yes)s of %(count)s)")
        if strict
        else _("%(kind)s: at least %(num)s/%(den)s of %(base)s (%(yes)s of %(count)s)")
    ) % {
        "kind": _("Supermajority") if needs_super else _("Ordinary majority"),
        "num": num,
        "den": den,
        "base": _base_label(base_kind),
        "yes": required_yes,
        "count": base,
    }
    if meeting_kind == MeetingKind.WRITTEN_CONSENT:
        q_required, q_present = 0, True
        objected = tally.no >= rules.written_consent_objection_limit
        if objected:
            outcome = Outcome.OBJECTED
        else:
            outcome = Outcome.ADOPTED if tally.yes >= required_yes else Outcome.REJECTED
    else:
        q_required = quorum_required(rules, tally.in_office)
        q_present = quorum_count(rules, present=tally.present, recused=tally.recused) >= q_required
        if not q_present:
            outcome = Outcome.NO_QUORUM
        else:
            outcome = Outcome.ADOPTED if tally.yes >= required_yes else Outcome.REJECTED
    return Result(
        needs_supermajority=needs_super,
        required_rule=rule,
        quorum_required=q_required,
        quorum_present=q_present,
        required_yes=required_yes,
        outcome=outcome,
    )
