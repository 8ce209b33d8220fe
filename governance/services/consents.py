"""Written consents: proposed by the secretary, confirmed by each director, tallied at the deadline.

- ``written_consent_propose``: the secretary puts a resolution (text, kind, deadline) to the
  directors in office; each is emailed (after commit) and sees it on their dashboard.
- ``written_consent_vote``: a director in office confirms their own vote (for, against,
  abstain) before the deadline. A confirmation is final: it stands as the director's signature
  on the consent, so a second vote is refused (``already_voted``). When every director in
  office has voted, the tally is queued at once through the outbox.
- ``written_consent_tally``: at the deadline (the scheduled job ``governance.tally_written_consents``)
  or once all have voted (``governance.tally_written_consent``), the confirmations are tallied
  by ``governance.voting`` against the rule set's written-consent values (the objection limit
  and the majority rules) and recorded as a decision of the register. Directors silent at the
  deadline are recorded as not voting (``absent``). System call: ``actor`` is None. Safe to
  run twice: a tallied consent is left alone.

Lock order (docs/architecture.md, governance): ``Meeting``, then ``WrittenConsent``, then the
last ``Decision`` (numbering), then the audit head.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import assuming_second_factor, require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.mail import email_queue
from core.outbox import enqueue
from governance import permissions
from governance.models import (
    ConsentChoice,
    ConsentStatus,
    ConsentVote,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    VoteChoice,
    WrittenConsent,
)
from governance.services.decisions import decision_create_from_roll
from governance.services.meetings import directors_at, meeting_create


def written_consent_propose(
    *, title: str, text: str, deadline: dt.datetime, actor: Any, kind: str = DecisionKind.ORDINARY
) -> WrittenConsent:
    """Put a resolution to the directors in writing, to be answered before ``deadline``."""
    require(
        permissions.can_propose_written_consent(actor),
        _("Only the secretary proposes a written consent."),
    )
    if kind not in DecisionKind.values:
        raise ValidationFailed(_("Unknown kind of decision."), code="invalid_kind")
    if not title.strip() or not text.strip():
        raise ValidationFailed(_("A written consent needs a title and its text."), code="text_required")
    now = clock.now()
    if deadline <= now:
        raise ValidationFailed(_("The deadline must be in the future."), code="deadline_past")
    with transaction.atomic():
        # The meeting is "held" at the deadline: the decision is dated then (or earlier, if
        # every director has voted before it).
        meeting = meeting_create(
            kind=MeetingKind.WRITTEN_CONSENT,
            title=title.strip()[:200],
            scheduled_at=deadline,
            actor=actor,
            notify=False,
        )
        consent = WrittenConsent.objects.create(
            meeting=meeting,
            title=title.strip()[:300],
            text=text.strip(),
            kind=kind,
            deadline=deadline,
            proposed_by=actor,
            created_at=now,
        )
        url = reverse("governance_manage:consent", args=[consent.pk])
        for director in directors_at(now).values():
            email_queue(
                to=director.email,
                template="emails/governance/written_consent_proposed",
                context={"consent": consent, "url": url, "name": director.get_short_name()},
                purpose="governance.written_consent",
                subject_ref=consent.audit_ref,
            )
        audit_record(
            actor=actor,
            action="written_consent.proposed",
            obj=consent,
            data={"kind": kind, "deadline": deadline, "meeting": meeting.audit_ref},
        )
    return consent


def written_consent_vote(*, consent: WrittenConsent, choice: str, actor: Any) -> ConsentVote:
    """``actor``, a director in office, confirms their own vote; final once given."""
    require(
        permissions.can_vote_written_consent(actor),
        _("Only a director in office votes on a written consent."),
    )
    if choice not in ConsentChoice.values:
        raise ValidationFailed(_("Choose for, against or abstain."), code="invalid_vote")
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=consent.meeting_id)
        locked = WrittenConsent.objects.select_for_update().get(pk=consent.pk)
        if not locked.is_open:
            raise Conflict(
                _("This written consent is closed: its deadline has passed."), code="consent_closed"
            )
        if ConsentVote.objects.filter(consent=locked, director=actor).exists():
            raise Conflict(
                _("You have already confirmed your vote on this written consent; it cannot be changed."),
                code="already_voted",
            )
        try:
            with transaction.atomic():
                vote = ConsentVote.objects.create(
                    consent=locked, director=actor, choice=choice, confirmed_at=clock.now()
                )
        except IntegrityError:  # the constraint, should a second request slip past the check
            raise Conflict(
                _("You have already confirmed your vote on this written consent; it cannot be changed."),
                code="already_voted",
            ) from None
        audit_record(
            actor=actor, action="written_consent.vote_confirmed", obj=locked, data={"choice": choice}
        )
        in_office = set(directors_at(clock.now()))
        voted = set(ConsentVote.objects.filter(consent=locked).values_list("director_id", flat=True))
        if in_office <= voted:
            enqueue("governance.tally_written_consent", consent_id=locked.pk)
    return vote


def written_consent_tally(*, consent_id: int) -> int | None:
    """Tally a consent that is due (deadline passed, or every director has voted).

    Returns the decision's number, or None when there is nothing (yet) to tally.
    """
    with transaction.atomic():
        consent = WrittenConsent.objects.filter(pk=consent_id).first()
        if consent is None:
            return None
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("rule_set")
            .get(pk=consent.meeting_id)
        )
        consent = WrittenConsent.objects.select_for_update().get(pk=consent_id)
        if consent.status != ConsentStatus.OPEN:
            return None
        now = clock.now()
        at = min(now, consent.deadline)
        directors = directors_at(at)
        votes = {v.director_id: v.choice for v in ConsentVote.objects.filter(consent=consent)}
        if now < consent.deadline and not set(directors) <= set(votes):
            return None  # not due: someone may still vote
        # Silent directors count as not voting; votes of people no longer in office are dropped.
        roll = {pk: (votes.get(pk, VoteChoice.ABSENT), "") for pk in directors}
        meeting.scheduled_at = at
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["scheduled_at", "status"])
        decision = decision_create_from_roll(
            meeting=meeting,
            title=consent.title,
            text=consent.text,
            kind=consent.kind,
            directors=directors,
            roll=roll,
            actor=None,
        )
        consent.status = ConsentStatus.DECIDED
        consent.decision = decision
        consent.save(update_fields=["status", "decision"])
        audit_record(
            actor=None,
            action="written_consent.tallied",
            obj=consent,
            data={
                "decision": decision.number,
                "outcome": decision.outcome,
                "voted": sorted(directors[pk].audit_ref for pk in directors if pk in votes),
                "silent": sorted(directors[pk].audit_ref for pk in directors if pk not in votes),
                "early": now < consent.deadline,
            },
        )
    return decision.number


def written_consents_tally_due() -> list[int]:
    """The scheduled job: tally every open consent whose deadline has passed."""
    due = WrittenConsent.objects.filter(status=ConsentStatus.OPEN, deadline__lte=clock.now())
    numbers = [written_consent_tally(consent_id=pk) for pk in due.values_list("pk", flat=True)]
    return [n for n in numbers if n is not None]


def consents_awaiting(*, user: Any) -> list[WrittenConsent]:
    """Open written consents this director has not yet voted on (the dashboard's panel)."""
    if not permissions.can_vote_written_consent(user):
        return []
    return list(
        WrittenConsent.objects.filter(status=ConsentStatus.OPEN, deadline__gt=clock.now())
        .exclude(votes__director=user)
        .order_by("deadline")
    )


def consents_panel(*, user: Any) -> list[WrittenConsent]:
    """The dashboard's panel: offered on the director's roles; the page asks for the code."""
    with assuming_second_factor(user):
        return consents_awaiting(user=user)
