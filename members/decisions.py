"""The board's register of decisions, as members and billing see it, without importing governance.

The bylaws tie some acts of this layer to a board decision: accepting dues in kind, a
suspension and its lifting. Such an act names an adopted decision of the register, chosen
from a list, never a typed reference. Governance keeps the register and registers a lookup
here in ``GovernanceConfig.ready()`` (docs/architecture.md, "How a lower layer reacts to a
higher one"); members and billing only call ``adopted_decisions`` and ``check_adopted_decision``.

Rows recorded before this rule have a free-text ``decision_ref`` and no ``decision_number``:
pages show them as legacy references.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import ValidationFailed


@dataclass(frozen=True)
class DecisionRef:
    """A decision of the register: its number, printed reference (``R-0012``) and title."""

    number: int
    reference: str
    title: str
    adopted: bool
    outcome_label: str = ""

    @property
    def label(self) -> str:
        return f"{self.reference} {self.title}"


@dataclass(frozen=True)
class DecisionRegister:
    """What governance answers: the adopted decisions (newest first) and one decision by number."""

    adopted: Callable[[], list[DecisionRef]]
    get: Callable[[int], DecisionRef | None]


_register: list[DecisionRegister] = []


def register_decision_register(register: DecisionRegister) -> None:
    _register[:] = [register]


def _current() -> DecisionRegister:
    if not _register:  # pragma: no cover - governance is always installed with members
        raise RuntimeError("No decision register: governance registers it in its AppConfig.ready().")
    return _register[0]


def adopted_decisions() -> list[DecisionRef]:
    """The adopted decisions of the register, newest first: the list people choose from."""
    return _current().adopted()


def decision_choices() -> list[tuple[str, str]]:
    """Choices for a form field: ``(number, "R-0012 Title")``."""
    return [(str(ref.number), ref.label) for ref in adopted_decisions()]


def check_adopted_decision(number: int | str | None, *, field: str = "decision") -> DecisionRef:
    """The decision numbered ``number`` if the register has it and it was adopted; else refused."""
    try:
        value = int(str(number).strip()) if number is not None else None
    except ValueError:
        value = None
    found = _current().get(value) if value is not None and value > 0 else None
    if found is None:
        raise ValidationFailed(
            _("Choose the board decision from the register."),
            code="decision_required" if number in (None, "") else "decision_not_found",
            detail={"field": field},
        )
    if not found.adopted:
        raise ValidationFailed(
            _("Decision %(ref)s was not adopted (%(outcome)s): it cannot order this.")
            % {"ref": found.reference, "outcome": found.outcome_label.lower()},
            code="decision_not_adopted",
            detail={"field": field, "decision": found.number},
        )
    return found
