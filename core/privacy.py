"""Members' data rights: the registry each app fills in its ``AppConfig.ready()``.

Core knows no app, yet a member's export must include their nominations (elections), a
director cannot be forgotten while sitting (governance) and the email log must keep the
reminders the committee's not-reached list reads (members). So every app that holds personal
data registers a :class:`PrivacyPart` saying

- what it holds, why, and who sees it (the privacy page lists it);
- ``export(user=)``: that person's data as JSON-ready values (never another person's, never a
  secret, never a ballot);
- ``blockers(user=)``: what must happen before the person can be forgotten (resign a seat,
  a new representative, the end of an election they are on the roll of);
- ``erase(context)``: remove or pseudonymise the person's data in the app, keeping what the
  foundation must keep (listed by ``kept``), and return counts of what it did;

and its retention rules (:class:`RetentionRule`): how long a kind of record is kept, read
from the rule set in force, and the job that deletes what is older. The services that use
the registry are in ``core/services/privacy.py`` and ``core/services/retention.py``.

Parts erase in ``order``, which follows the project's lock order (docs/architecture.md):
elections first, then members, governance, and core (the account itself) last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

from core.models import RuleSet

Text = str | Promise

#: ``order`` of each layer's part: the lock order, top layer first. Billing writes nothing (it
#: counts the invoices it keeps), so it runs before members clears the billing contacts.
ORDER_ELECTIONS = 10
ORDER_BILLING = 15
ORDER_MEMBERS = 20
ORDER_GOVERNANCE = 40
ORDER_CORE = 90


@dataclass(frozen=True)
class Collected:
    """A kind of personal data: what it is, why it is held, and who sees it."""

    what: Text
    why: Text
    who: Text


@dataclass(frozen=True)
class Kept:
    """What stays after an erasure, and why the foundation must keep it."""

    what: Text
    why: Text


@dataclass(frozen=True)
class Blocker:
    """Something that must happen before a person can be forgotten (shown to them as is)."""

    code: str
    message: str


@dataclass
class ErasureContext:
    """What every part's ``erase`` is given: the person, the pseudonym that replaces their name,
    every email address they had (read before core removes them), the moment and who approved."""

    user: Any
    pseudonym: str
    addresses: frozenset[str]
    at: dt.datetime
    actor: Any
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PrivacyPart:
    key: str
    label: Text
    order: int
    collected: tuple[Collected, ...]
    export: Callable[..., Any]
    erase: Callable[[ErasureContext], dict[str, int]]
    blockers: Callable[..., list[Blocker]] = lambda *, user: []
    kept: Callable[[RuleSet], list[Kept]] = lambda rules: []
    #: Where the privacy page and the export list it: the account first, elections last.
    position: int = 100


@dataclass(frozen=True)
class RetentionRule:
    """How long one kind of record is kept (read from the rule set in force) and what then happens.

    ``apply(at=, rules=)`` deletes or anonymises what is older and returns how many rows it
    changed; it must be safe to run twice. A rule without ``apply`` is listed on the privacy
    page only (another job or person carries it out).
    """

    key: str
    what: Text
    period: Callable[[RuleSet], Text]
    then: Text
    order: int = 100
    apply: Callable[..., int] | None = None


_parts: dict[str, PrivacyPart] = {}
_retention: dict[str, RetentionRule] = {}
_kept_emails: list[Callable[..., QuerySet[Any]]] = []


def register_privacy_part(part: PrivacyPart) -> None:
    """Register ``part`` once (by key); called from an ``AppConfig.ready()``."""
    _parts[part.key] = part


def privacy_parts(*, for_reading: bool = False) -> list[PrivacyPart]:
    """Every part in erase order, or (``for_reading``) in the order pages and exports show them."""
    if for_reading:
        return sorted(_parts.values(), key=lambda part: (part.position, part.key))
    return sorted(_parts.values(), key=lambda part: (part.order, part.key))


def register_retention_rule(rule: RetentionRule) -> None:
    _retention[rule.key] = rule


def retention_rules() -> list[RetentionRule]:
    return sorted(_retention.values(), key=lambda rule: (rule.order, rule.key))


def register_kept_emails(query: Callable[..., QuerySet[Any]]) -> None:
    """``query(at=)`` returns ids of ``OutgoingEmail`` rows the email-log retention must keep
    (members: the reminders of current memberships, which the not-reached list reads)."""
    if query not in _kept_emails:
        _kept_emails.append(query)


def kept_email_queries() -> list[Callable[..., QuerySet[Any]]]:
    return list(_kept_emails)
