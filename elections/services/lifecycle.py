"""An election's lifecycle: create, open and close nominations, open voting, cancel.

Every transition is a service (audited) that the schedule calls on time
(``election_run_schedule``, every minute) and that refuses to run early. Closing
voting, counting and certifying live in ``ballots`` and ``results``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, DomainError, ValidationFailed
from core.rules import rules_in_force
from elections import permissions
from elections.models import (
    Candidate,
    CandidateState,
    Election,
    ElectionState,
    Method,
)
from elections.rules import election_rules_for
from elections.services.ballots import (
    ballot_key_create,
    ballots_discard,
    election_close_voting,
    receipts_batch_maybe,
)
from elections.services.common import day, lock_election
from elections.services.reminders import voting_reminders_send
from elections.services.results import election_seat_elected
from elections.services.roll import roll_freeze, roll_notify_provisional
from governance.models import Cohort, Seat

S = ElectionState
log = logging.getLogger(__name__)

# Dates an election may be scheduled on: bounds of sanity, not of the bylaws. They keep the
# windows computed from them (and later extensions) inside what a datetime can hold.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2999
MAX_MARKS = 32_767  # the column's limit (a small integer)


def election_create(
    *,
    slug: str,
    title: str,
    seats: Sequence[Seat],
    method: str,
    record_date: dt.datetime,
    voting_opens_at: dt.datetime,
    voting_closes_at: dt.datetime,
    cohort: Cohort | None = None,
    description: str = "",
    approval_max_marks: int | None = None,
    actor: Any = None,
) -> Election:
    """Schedule an election; the nomination window and provisional roll follow from the rules.

    A person scheduling it must be on the election committee; ``actor=None`` is the
    system (demo seeding, fixtures), as before.
    """
    if actor is not None:
        require(
            permissions.can_run_election(actor),
            _("Only the election committee schedules elections."),
            code="not_committee",
        )
    at = clock.now()
    rule_set = rules_in_force(at=at)
    rules = election_rules_for(rule_set=rule_set)
    if method not in Method.values:
        raise ValidationFailed(_("Unknown counting method."), code="invalid_method")
    for field, value in (
        ("record_date", record_date),
        ("voting_opens_at", voting_opens_at),
        ("voting_closes_at", voting_closes_at),
    ):
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValidationFailed(
                _("Give a date between the years %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
                code="date_out_of_range",
                detail={"field": field},
            )
    if approval_max_marks is not None and not 0 < approval_max_marks <= MAX_MARKS:
        raise ValidationFailed(
            _("The most marks per ballot must be between 1 and %(max)s.") % {"max": MAX_MARKS},
            code="approval_marks_out_of_range",
            detail={"field": "approval_max_marks"},
        )
    if not seats:
        raise ValidationFailed(_("An election fills at least one seat."), code="no_seats")
    if method == Method.IRV and len(seats) > 1:
        raise ValidationFailed(
            _("Instant runoff elects one person; choose an STV method for several seats."),
            code="irv_one_seat",
        )
    if method == Method.APPROVAL and not approval_max_marks:
        raise ValidationFailed(
            _("An approval election needs the most marks a ballot may carry."), code="approval_marks_missing"
        )
    if voting_closes_at - voting_opens_at < dt.timedelta(days=rules.min_voting_days):
        raise ValidationFailed(
            _("Voting must last at least %(days)s days (rule set v%(version)s).")
            % {"days": rules.min_voting_days, "version": rule_set.version},
            code="voting_too_short",
        )
    nominations_open_at = voting_opens_at - dt.timedelta(days=rules.nominations_open_days)
    nominations_close_at = voting_opens_at - dt.timedelta(days=rules.nominations_close_days)
    if nominations_open_at <= at:
        raise ValidationFailed(
            _("Nominations would open on %(date)s, which has passed: voting opens too soon.")
            % {"date": day(nominations_open_at)},
            code="too_late_to_schedule",
        )
    if not (at < record_date <= voting_opens_at):
        raise ValidationFailed(
            _("The record date must be in the future and no later than the opening of voting."),
            code="invalid_record_date",
        )
    with transaction.atomic():
        if Election.objects.filter(slug=slug).exists():
            raise Conflict(_("An election with this address already exists."), code="slug_taken")
        election = Election.objects.create(
            slug=slug,
            title=title,
            description=description,
            rule_set=rule_set,
            cohort=cohort,
            method=method,
            approval_max_marks=approval_max_marks if method == Method.APPROVAL else None,
            record_date=record_date,
            provisional_roll_at=record_date - dt.timedelta(days=rules.provisional_roll_days),
            nominations_open_at=nominations_open_at,
            nominations_close_at=nominations_close_at,
            voting_opens_at=voting_opens_at,
            voting_closes_at=voting_closes_at,
            original_voting_closes_at=voting_closes_at,
        )
        election.seats.set(seats)
        audit_record(
            actor=actor,
            action="election.created",
            obj=election,
            data={
                "method": method,
                "seats": sorted(s.number for s in seats),
                "record_date": record_date,
                "voting_opens_at": voting_opens_at,
                "voting_closes_at": voting_closes_at,
                "rule_set": rule_set.version,
            },
        )
    return election


def _require_state(election: Election, *states: str) -> None:
    if election.state not in states:
        raise Conflict(
            _("This cannot be done while the election is “%(state)s”.")
            % {"state": election.get_state_display()},
            code="wrong_state",
            detail={"state": election.state},
        )


def _require_time(moment: dt.datetime, label: str) -> None:
    if clock.now() < moment:
        raise Conflict(
            _("Too early: %(what)s is scheduled for %(date)s.") % {"what": label, "date": day(moment)},
            code="too_early",
        )


def election_open_nominations(*, election: Election, actor: Any = None) -> Election:
    with transaction.atomic():
        locked = lock_election(election)
        _require_state(locked, S.DRAFT)
        _require_time(locked.nominations_open_at, _("the opening of nominations"))
        locked.state = S.NOMINATIONS_OPEN
        locked.save(update_fields=["state"])
        audit_record(actor=actor, action="election.nominations_opened", obj=locked)
    return locked


def _unique_ballot_names(candidates: list[Candidate]) -> None:
    """Two candidates with the same name get their member number added, so ballots and BLT differ."""
    seen: dict[str, int] = {}
    for c in candidates:
        seen[c.name] = seen.get(c.name, 0) + 1
    for c in candidates:
        if seen[c.name] > 1:
            membership = c.person.memberships.first()
            suffix = membership.number if membership else str(c.pk)
            c.name = f"{c.name} ({suffix})"
            c.save(update_fields=["name"])


def election_close_nominations(*, election: Election, actor: Any = None) -> Election:
    """Close nominations: unaccepted nominations lapse and the tie-break seed is drawn and published.

    With no candidate standing the election cannot go on: it is cancelled with that reason.
    """
    with transaction.atomic():
        locked = lock_election(election)
        _require_state(locked, S.NOMINATIONS_OPEN)
        _require_time(locked.nominations_close_at, _("the close of nominations"))
        candidates = list(Candidate.objects.select_for_update().filter(election=locked).order_by("pk"))
        lapsed = 0
        for c in candidates:
            if c.state == CandidateState.NOMINATED:
                c.state = CandidateState.LAPSED
                c.save(update_fields=["state"])
                lapsed += 1
        standing = [c for c in candidates if c.state == CandidateState.ACCEPTED]
        _unique_ballot_names(standing)
        locked.tie_seed = secrets.token_hex(16)
        if not standing:
            locked.state = S.CANCELLED
            locked.cancel_reason = _("No nominee accepted a nomination, so there is no one to vote for.")
        else:
            locked.state = S.NOMINATIONS_CLOSED
        locked.save(update_fields=["state", "tie_seed", "cancel_reason"])
        audit_record(
            actor=actor,
            action="election.nominations_closed",
            obj=locked,
            data={"candidates": len(standing), "lapsed": lapsed, "tie_seed": locked.tie_seed},
        )
    return locked


def election_open_voting(*, election: Election, actor: Any = None) -> Election:
    """Open voting; the roll must be frozen (the schedule freezes it at the record date).

    The election's ballot key pair is generated now (its private half stored only wrapped);
    the audit entry records the public key's SHA-256.
    """
    with transaction.atomic():
        locked = lock_election(election)
        _require_state(locked, S.NOMINATIONS_CLOSED)
        _require_time(locked.voting_opens_at, _("the opening of voting"))
        if locked.roll_frozen_at is None:
            raise Conflict(_("The voter roll has not been frozen yet."), code="roll_not_frozen")
        locked.state = S.VOTING
        locked.save(update_fields=["state"])
        key = ballot_key_create(election=locked)
        audit_record(
            actor=actor,
            action="election.voting_opened",
            obj=locked,
            data={
                "roll_fingerprint": locked.roll_fingerprint,
                "closes_at": locked.voting_closes_at,
                "ballot_key_sha256": hashlib.sha256(bytes(key.public_key)).hexdigest(),
            },
        )
    return locked


def election_cancel(*, election: Election, reason: str, actor: Any) -> Election:
    """The committee cancels before certification, with a public reason.

    During voting the ballots are destroyed unopened, with the election's key, and the
    voted marks are reduced to totals, as at a close (``ballots_discard``).
    """
    require(
        permissions.can_run_election(actor, election),
        _("Only the election committee cancels elections."),
        code="not_committee",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("A cancelled election needs a public reason."), code="reason_required")
    with transaction.atomic():
        locked = lock_election(election)
        if locked.is_finished:
            raise Conflict(
                _("A %(state)s election cannot be cancelled.") % {"state": locked.get_state_display()},
                code="wrong_state",
            )
        was = locked.state
        destroyed = ballots_discard(election=locked) if was in (S.VOTING, S.EXTENDED) else 0
        locked.state = S.CANCELLED
        locked.cancel_reason = reason
        locked.save(update_fields=["state", "cancel_reason"])
        data: dict[str, Any] = {"from": was}
        if was in (S.VOTING, S.EXTENDED):
            data["ballots_destroyed"] = destroyed
        audit_record(actor=actor, action="election.cancelled", obj=locked, data=data)
    return locked


def election_run_schedule(*, at: dt.datetime | None = None) -> list[str]:
    """Do every transition that is due (the ``elections.run_schedule`` job, every minute).

    Safe to run twice and concurrently: each transition re-checks state and time under
    the election lock. Returns what it did, for the log.
    """
    at = at or clock.now()
    done: list[str] = []
    active = Election.objects.exclude(state__in=(S.CERTIFIED, S.FAILED, S.CANCELLED, S.COUNTED))
    for election in active.order_by("pk"):
        try:
            if election.state == S.DRAFT and election.nominations_open_at <= at:
                election = election_open_nominations(election=election)
                done.append(f"{election.slug}: nominations opened")
            if election.state == S.NOMINATIONS_OPEN and election.nominations_close_at <= at:
                election = election_close_nominations(election=election)
                done.append(f"{election.slug}: nominations closed")
            if (
                election.provisional_notified_at is None
                and election.provisional_roll_at <= at
                and election.state not in (S.CANCELLED,)
            ):
                roll_notify_provisional(election=election)
                done.append(f"{election.slug}: provisional roll published")
            if (
                election.roll_frozen_at is None
                and election.record_date <= at
                and election.state != S.CANCELLED
            ):
                election = roll_freeze(election=election)
                done.append(f"{election.slug}: roll frozen")
            if election.state == S.NOMINATIONS_CLOSED and election.voting_opens_at <= at:
                election = election_open_voting(election=election)
                done.append(f"{election.slug}: voting opened")
            if election.state in (S.VOTING, S.EXTENDED):
                if election.voting_closes_at <= at:
                    election = election_close_voting(election=election)
                    done.append(f"{election.slug}: voting closed → {election.state}")
                else:
                    sent = voting_reminders_send(election=election)
                    if sent:
                        done.append(f"{election.slug}: {sent} reminders")
                    if receipts_batch_maybe(election=election):
                        done.append(f"{election.slug}: a batch of receipts queued")
        except DomainError as exc:
            # Another worker got there first, or the state moved on: the next tick sees it.
            log.info("elections schedule: %s: %s", election.slug, exc.code)
            continue
    waiting = Election.objects.filter(state=S.CERTIFIED, seats_filled_at__isnull=True, cohort__isnull=False)
    for election in waiting.select_related("cohort").order_by("pk"):
        if election.cohort is not None and election.cohort.term_end <= at.date():
            try:
                election_seat_elected(election=election)
            except DomainError as exc:  # e.g. a seat rule refuses someone: the committee must act
                log.warning("elections schedule: %s: cannot seat the elected: %s", election.slug, exc.message)
                continue
            done.append(f"{election.slug}: elected seated")
    return done
