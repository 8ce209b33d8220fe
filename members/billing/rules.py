"""The bylaws numbers billing reads, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from governance.models import RuleSet


@dataclass(frozen=True)
class BillingRules:
    invoice_issue_days_before_expiry: int
    lobbying_share_percent: int
    grace_days: int
    version: int


def billing_rules(rules: RuleSet) -> BillingRules:
    """Billing's view of a rule set.

    LEAD: ``invoice_issue_days_before_expiry`` (reference 30) and
    ``lobbying_share_percent`` (reference 0) are not RuleSet fields yet. Until they are,
    they are read here with the reference values as fallbacks; once the fields exist,
    replace the two ``getattr`` calls with plain attribute reads. Nothing else changes.
    """
    return BillingRules(
        invoice_issue_days_before_expiry=int(getattr(rules, "invoice_issue_days_before_expiry", 30)),
        lobbying_share_percent=int(getattr(rules, "lobbying_share_percent", 0)),
        grace_days=rules.grace_days,
        version=rules.version,
    )
