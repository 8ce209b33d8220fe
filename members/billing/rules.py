"""The bylaws numbers billing reads, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import RuleSet


@dataclass(frozen=True)
class BillingRules:
    invoice_issue_days_before_expiry: int
    lobbying_share_percent: int
    grace_days: int
    version: int


def billing_rules(rules: RuleSet) -> BillingRules:
    """Billing's view of a rule set."""
    return BillingRules(
        invoice_issue_days_before_expiry=rules.invoice_issue_days_before_expiry,
        lobbying_share_percent=rules.lobbying_share_percent,
        grace_days=rules.grace_days,
        version=rules.version,
    )
