"""Demo data for the control page's what-if preview: a draft rule set with a looser cap.

Under the reference rules a corporate group holds at most one seat. The draft lets a group
hold three: on the demo's board of eight, a sponsor group with three seats (fewer than
half) could block every supermajority decision, and the what-if preview says so. Written
through the services, like the rest of the demo; idempotent.
"""

from __future__ import annotations

from typing import TextIO

from core.models import RuleSet, User
from governance.services.rules import rule_set_draft, rule_set_update

SECRETARY = "secretary@demo.charter.invalid"
DRAFT_CAP = 3


def seed_control(*, stdout: TextIO) -> None:
    """Draft the next rule-set version with ``DRAFT_CAP`` directors per group (once)."""
    draft = RuleSet.objects.filter(effective_from__isnull=True).first()
    if draft is not None:
        stdout.write(f"control: draft rule set v{draft.version} exists, skipped\n")
        return
    secretary = User.objects.filter(email=SECRETARY).first()
    if secretary is None:
        stdout.write("control: no secretary; draft rule set skipped\n")
        return
    draft = rule_set_draft(actor=secretary)
    rule_set_update(
        actor=secretary,
        rule_set=draft,
        name="Proposal: up to three directors per corporate group",
        notes="A proposal under discussion; see the what-if preview on the control page before voting.",
        board_max_per_group=DRAFT_CAP,
    )
    stdout.write(f"control: draft rule set v{draft.version} (at most {DRAFT_CAP} directors per group)\n")
