"""Retention: delete personal data once the rule set says it is no longer needed.

Each app registers its rules (``core.privacy.register_retention_rule``); the periods are read
from the rule set in force at the moment of the run. ``retention_apply`` runs every rule in
its own transaction and writes one audit entry with the counts when anything was deleted, so
running it twice (or every day) changes nothing more. The scheduled task is
``core.apply_retention`` (config/settings/base.py, daily).

Core's own rules: the email log (except the emails that other apps must keep: the reminders of
current memberships, which the committee's not-reached list reads) and API tokens unused for
a long time.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import DateTimeField, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.audit import audit_record
from core.models import ApiToken, OutgoingEmail, RuleSet
from core.privacy import RetentionRule, kept_email_queries, retention_rules
from core.rules import rules_in_force


def retention_apply(*, at: dt.datetime | None = None) -> dict[str, int]:
    """Apply every registered retention rule (scheduler only: ``actor`` is the system)."""
    at = at or clock.now()
    rules = rules_in_force(at=at)
    counts: dict[str, int] = {}
    for rule in retention_rules():
        if rule.apply is None:
            continue
        with transaction.atomic():
            counts[rule.key] = rule.apply(at=at, rules=rules)
    done = {key: n for key, n in counts.items() if n}
    if done:
        audit_record(
            actor=None, action="retention.applied", data={"deleted": done, "rule_set": rules.version}
        )
    return counts


def days_after(value: int, event: str) -> str:
    """``"90 days after it was sent"``: a period for the privacy page."""
    return _("%(n)s days after %(event)s") % {"n": value, "event": event}


# --- Core's rules ---------------------------------------------------------------------------------


def _email_log(*, at: dt.datetime, rules: RuleSet) -> int:
    cutoff = at - dt.timedelta(days=rules.retention_email_log_days)
    kept = Q(pk__in=[])
    for query in kept_email_queries():
        kept |= Q(pk__in=query(at=at))
    deleted, _detail = OutgoingEmail.objects.filter(created_at__lt=cutoff).exclude(kept).delete()
    return deleted


def _unused_tokens(*, at: dt.datetime, rules: RuleSet) -> int:
    cutoff = at - dt.timedelta(days=rules.retention_unused_token_days)
    last_activity = Coalesce("last_used_at", "created_at", output_field=DateTimeField())
    stale = ApiToken.objects.annotate(last_activity=last_activity).filter(last_activity__lt=cutoff)
    deleted, _detail = ApiToken.objects.filter(pk__in=stale.values("pk")).delete()
    return deleted


EMAIL_LOG = RetentionRule(
    key="email_log",
    what=gettext_lazy("The log of emails sent (address, subject, text, delivery status)"),
    period=lambda rules: days_after(rules.retention_email_log_days, _("it was sent")),
    then=gettext_lazy(
        "Deleted, except the renewal reminders of current memberships (the committee's list of "
        "members not reached reads them)."
    ),
    order=10,
    apply=_email_log,
)
UNUSED_TOKENS = RetentionRule(
    key="api_tokens",
    what=gettext_lazy("API tokens (name, dates, the hash of the secret)"),
    period=lambda rules: days_after(rules.retention_unused_token_days, _("their last use (or creation)")),
    then=gettext_lazy("Deleted, whether live, expired or revoked: a token unused that long is forgotten."),
    order=40,
    apply=_unused_tokens,
)
