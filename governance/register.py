"""The register of decisions as the bylaws' acts use it: chosen from a list, checked adopted.

Every act the bylaws tie to a board decision (dues in kind, a suspension and its lifting, a
change of the board's size, a rule-set version, an appointment to a vacancy) names an adopted
decision of the register. Governance's own acts take a ``Decision`` and call
``check_adopted_decision``; members and billing reach the register through
``members.decisions``, which ``GovernanceConfig.ready()`` fills with ``DECISION_REGISTER``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from governance.models import Decision, Outcome
from members.decisions import DecisionRef, DecisionRegister


def adopted_decisions(kinds: Iterable[str] | None = None) -> QuerySet[Decision]:
    """Adopted decisions of the register (of ``kinds``, if given), newest first: what forms list."""
    queryset = Decision.objects.filter(outcome=Outcome.ADOPTED)
    if kinds is not None:
        queryset = queryset.filter(kind__in=list(kinds))
    return queryset.order_by("-number")


def check_adopted_decision(
    decision: Decision | None, *, kinds: Iterable[str] | None = None, field: str = "decision"
) -> Decision:
    """The decision as stored in the register, if it was adopted (and is of one of ``kinds``)."""
    found = Decision.objects.filter(pk=decision.pk).first() if decision is not None and decision.pk else None
    if found is None:
        raise ValidationFailed(
            _("Choose the board decision from the register."),
            code="decision_required",
            detail={"field": field},
        )
    if found.outcome != Outcome.ADOPTED:
        raise ValidationFailed(
            _("Decision %(ref)s was not adopted (%(outcome)s): it cannot order this.")
            % {"ref": found.reference, "outcome": found.get_outcome_display().lower()},
            code="decision_not_adopted",
            detail={"field": field, "decision": found.number, "outcome": found.outcome},
        )
    allowed = list(kinds) if kinds is not None else None
    if allowed is not None and found.kind not in allowed:
        raise ValidationFailed(
            _("Decision %(ref)s is a decision of another kind (%(kind)s).")
            % {"ref": found.reference, "kind": found.get_kind_display().lower()},
            code="decision_wrong_kind",
            detail={"field": field, "decision": found.number},
        )
    return found


def _ref(decision: Decision) -> DecisionRef:
    return DecisionRef(
        number=decision.number,
        reference=decision.reference,
        title=decision.title,
        adopted=decision.outcome == Outcome.ADOPTED,
        outcome_label=str(decision.get_outcome_display()),
    )


def _adopted() -> list[DecisionRef]:
    return [_ref(d) for d in adopted_decisions()]


def _get(number: int) -> DecisionRef | None:
    decision = Decision.objects.filter(number=number).first()
    return _ref(decision) if decision is not None else None


DECISION_REGISTER = DecisionRegister(adopted=_adopted, get=_get)
