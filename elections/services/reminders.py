"""Voting reminders to roll rows that have not voted, and the notice of an extension.

Each (election, member number, offset) is sent at most once (a unique constraint), so
the schedule can run this every minute. Negative offsets record extension notices.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from core import clock
from core.mail import email_queue
from core.models import OutgoingEmail
from elections.models import Election, RollEntry, VotingReminder
from elections.rules import election_rules_for


def _send(election: Election, entry: RollEntry, offset: int, template: str) -> bool:
    to = entry.voter.email if entry.voter is not None else ""
    try:
        with transaction.atomic():
            reminder = VotingReminder.objects.create(
                election=election, member_number=entry.member_number, offset_days=offset
            )
            if to:
                reminder.email = email_queue(
                    to=to,
                    template=template,
                    context={
                        "election": election,
                        "member_number": entry.member_number,
                        "url": reverse("elections:ballot", kwargs={"slug": election.slug}),
                    },
                    purpose="elections.voting_reminder",
                    subject_ref=entry.member_number,
                )
                reminder.save(update_fields=["email"])
    except IntegrityError:
        return False
    return True


def voting_reminders_send(*, election: Election, at: dt.datetime | None = None) -> int:
    """Send the reminders that are due (the latest due offset only) to rows that have not voted."""
    at = at or clock.now()
    if not election.is_voting:
        return 0
    rules = election_rules_for(rule_set=election.rule_set)
    due = [d for d in rules.reminder_offsets if election.voting_closes_at - dt.timedelta(days=d) <= at]
    if not due:
        return 0
    offset = min(due)
    already = set(
        VotingReminder.objects.filter(election=election, offset_days=offset).values_list(
            "member_number", flat=True
        )
    )
    sent = 0
    entries = RollEntry.objects.filter(election=election, has_voted=False, struck=False).select_related(
        "voter"
    )
    for entry in entries.iterator(chunk_size=2000):
        if entry.member_number in already:
            continue
        sent += _send(election, entry, offset, "emails/elections/voting_reminder")
    return sent


def extension_notify(*, election_id: int, extension: int) -> int:
    """Tell the roll's members who have not voted that voting was extended (once per extension)."""
    election = Election.objects.filter(pk=election_id).first()
    if election is None:
        return 0
    sent = 0
    entries = RollEntry.objects.filter(election=election, has_voted=False, struck=False).select_related(
        "voter"
    )
    for entry in entries.iterator(chunk_size=2000):
        sent += _send(election, entry, -extension, "emails/elections/voting_extended")
    return sent


def unreached_voters(*, election: Election) -> list[dict[str, Any]]:
    """Roll rows whose reminder could not be delivered (refused or bounced), or with no address."""
    bad = (OutgoingEmail.Status.REFUSED, OutgoingEmail.Status.BOUNCED, OutgoingEmail.Status.FAILED)
    rows = []
    for reminder in (
        VotingReminder.objects.filter(election=election).select_related("email").order_by("member_number")
    ):
        if reminder.email is None or reminder.email.status in bad:
            rows.append(
                {
                    "member_number": reminder.member_number,
                    "offset_days": reminder.offset_days,
                    "status": reminder.email.get_status_display() if reminder.email else "—",
                }
            )
    return rows
