"""Casting ballots and closing the vote.

Threat model (shown on the election page): someone who reads the database after the
close must not learn how anyone voted. So the cast path writes a ballot with no voter
and no time, a tracker with no ballot, flips the roll row's ``has_voted`` and writes
nothing else that names the voter with a time (no per-voter audit entry, no session
write, no receipt email row: a ``PendingReceipt`` without a time waits for the job).
At the close the ballot, tracker and roll tables of the election are rewritten in one
transaction, in random order with fresh random ids, so neither ids, physical order nor
the writing transaction say anything about the order of voting. WAL and backups taken
during voting are out of scope.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, NotFound, ValidationFailed
from core.mail import email_queue
from core.outbox import enqueue
from elections import permissions
from elections.models import (
    Ballot,
    Candidate,
    CandidateState,
    Election,
    ElectionState,
    Method,
    PendingReceipt,
    RollEntry,
    Tracker,
)
from elections.rules import election_rules_for
from elections.selectors import election_turnout
from elections.services.common import day, lock_election

BATCH = 5000
# The close's shuffle; tests replace it with a seeded ``random.Random`` to check the result.
_rng: Any = secrets.SystemRandom()


@dataclass(frozen=True)
class CastReceipt:
    tracker: str
    member_number: str


def _standing(election: Election) -> dict[int, Candidate]:
    return {
        c.pk: c
        for c in Candidate.objects.filter(
            election=election, state__in=(CandidateState.ACCEPTED, CandidateState.WITHDRAWN)
        )
    }


def check_choices(
    *,
    election: Election,
    ranks: Mapping[int, int] | None = None,
    marks: Sequence[int] | None = None,
) -> list[int]:
    """Validate a ballot and return its choices (candidate ids), in order for ranked methods.

    Ranked: ``ranks`` maps candidate id to rank; ranks must be 1, 2, 3… with no repeat
    and no gap; unranked candidates are left out. Approval: at most the election's
    number of marks. Plurality: at most as many marks as seats. An empty ballot is blank.
    """
    candidates = _standing(election)

    def check_candidate(pk: int) -> None:
        candidate = candidates.get(pk)
        if candidate is None:
            raise ValidationFailed(
                _("The ballot names someone who is not a candidate."), code="unknown_candidate"
            )
        if candidate.state == CandidateState.WITHDRAWN:
            raise ValidationFailed(
                _("%(name)s has withdrawn and cannot be voted for.") % {"name": candidate.name},
                code="candidate_withdrawn",
            )

    if election.is_ranked:
        if marks:
            raise ValidationFailed(_("This election uses ranked ballots."), code="wrong_ballot_type")
        given = {int(pk): int(rank) for pk, rank in (ranks or {}).items() if rank is not None}
        for pk in given:
            check_candidate(pk)
        values = sorted(given.values())
        if len(set(values)) != len(values):
            raise ValidationFailed(
                _("Each rank can be given to only one candidate: a rank is used twice."),
                code="duplicate_rank",
            )
        if values != list(range(1, len(values) + 1)):
            raise ValidationFailed(
                _("Ranks must run 1, 2, 3… without gaps: rank %(rank)s is missing.")
                % {"rank": next(i for i, v in enumerate(values, 1) if v != i)},
                code="rank_gap",
            )
        return [pk for pk, _rank in sorted(given.items(), key=lambda item: item[1])]
    if ranks:
        raise ValidationFailed(_("This election does not use ranked ballots."), code="wrong_ballot_type")
    chosen = [int(pk) for pk in (marks or [])]
    if len(set(chosen)) != len(chosen):
        raise ValidationFailed(_("A candidate is marked twice."), code="duplicate_mark")
    for pk in chosen:
        check_candidate(pk)
    limit = election.approval_max_marks if election.method == Method.APPROVAL else election.seats.count()
    if limit is not None and len(chosen) > limit:
        raise ValidationFailed(
            ngettext(
                "You may mark at most %(limit)s candidate.",
                "You may mark at most %(limit)s candidates.",
                limit,
            )
            % {"limit": limit},
            code="too_many_marks",
        )
    return sorted(chosen)


def _check_window(election: Election, now: dt.datetime) -> None:
    if election.state not in (ElectionState.VOTING, ElectionState.EXTENDED) or not (
        election.voting_opens_at <= now < election.voting_closes_at
    ):
        raise Conflict(
            _("Voting is open from %(open)s to %(close)s.")
            % {"open": day(election.voting_opens_at), "close": day(election.voting_closes_at)},
            code="voting_closed",
        )


def _roll_entry_pk(value: Any) -> uuid.UUID:
    """The roll row's id as posted (a form's ``entry``): anything but a row id is no row."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise NotFound(_("You are not on this election's roll."), code="not_on_roll") from None


def ballot_cast(
    *,
    election: Election,
    voter: Any,
    roll_entry_id: Any,
    ranks: Mapping[int, int] | None = None,
    marks: Sequence[int] | None = None,
) -> CastReceipt:
    """Record one ballot for one roll row; the first ballot for a row is the only one.

    The roll row flips ``has_voted`` with a conditional UPDATE in the same transaction
    as the ballot insert: a second request for the same row finds no row to update and
    stores nothing. Returns the tracker code (shown once; the receipt email follows).
    """
    entry_pk = _roll_entry_pk(roll_entry_id)
    with transaction.atomic():
        locked = lock_election(election)
        _check_window(locked, clock.now())
        entry = (
            RollEntry.objects.filter(election=locked, pk=entry_pk)
            .filter(Q(voter=voter) | Q(alternate=voter))
            .values("pk", "member_number", "weight", "has_voted", "struck")
            .first()
        )
        if entry is None:
            raise NotFound(_("You are not on this election's roll."), code="not_on_roll")
        if entry["struck"]:
            raise Conflict(_("This vote was struck from the roll: the member is suspended."), code="struck")
        choices = check_choices(election=locked, ranks=ranks, marks=marks)
        flipped = RollEntry.objects.filter(pk=entry["pk"], has_voted=False, struck=False).update(
            has_voted=True
        )
        if flipped != 1:
            raise Conflict(_("A ballot has already been cast for this vote."), code="already_voted")
        Ballot.objects.create(election=locked, choices=choices, weight=entry["weight"])
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    tracker = Tracker.objects.create(election=locked)
                break
            except IntegrityError:  # a tracker code collision: draw again
                continue
        else:  # pragma: no cover - 80 random bits colliding five times
            raise Conflict(_("Please try again."), code="tracker_collision")
        PendingReceipt.objects.create(election=locked, user=voter, tracker_code=tracker.code)
        enqueue("elections.send_receipts", election_id=locked.pk)
    return CastReceipt(tracker=tracker.code, member_number=entry["member_number"])


def _rewrite_shuffled(election: Election) -> tuple[int, int]:
    """Copy the election's ballots, trackers and roll rows to fresh rows in random order."""
    ballots = list(Ballot.objects.filter(election=election).values_list("choices", "weight"))
    trackers = list(Tracker.objects.filter(election=election).values_list("code", flat=True))
    roll = list(
        RollEntry.objects.filter(election=election).values_list(
            "member_number",
            "subject_type",
            "class_code",
            "weight",
            "voter_id",
            "alternate_id",
            "has_voted",
            "struck",
            "struck_reason",
        )
    )
    Ballot.objects.filter(election=election).delete()
    Tracker.objects.filter(election=election).delete()
    RollEntry.objects.filter(election=election).delete()
    _rng.shuffle(ballots)
    _rng.shuffle(trackers)
    _rng.shuffle(roll)
    Ballot.objects.bulk_create(
        (Ballot(election=election, choices=c, weight=w) for c, w in ballots), batch_size=BATCH
    )
    Tracker.objects.bulk_create(
        (Tracker(election=election, code=code) for code in trackers), batch_size=BATCH
    )
    RollEntry.objects.bulk_create(
        (
            RollEntry(
                election=election,
                member_number=n,
                subject_type=t,
                class_code=k,
                weight=w,
                voter_id=v,
                alternate_id=a,
                has_voted=h,
                struck=x,
                struck_reason=r,
            )
            for n, t, k, w, v, a, h, x, r in roll
        ),
        batch_size=BATCH,
    )
    return len(ballots), len(trackers)


def election_close_voting(*, election: Election, actor: Any = None) -> Election:
    """Close voting at its time: extend if quorum is missed, fail after the last extension, else count.

    One summary audit entry is written here (turnout, number of ballots): none per voter.
    A person closing it must be on the election committee; the schedule passes ``actor=None``.
    """
    if actor is not None:
        require(
            permissions.can_run_election(actor, election),
            _("Only the election committee closes voting."),
            code="not_committee",
        )
    with transaction.atomic():
        locked = lock_election(election)
        if locked.state not in (ElectionState.VOTING, ElectionState.EXTENDED):
            raise Conflict(_("Voting is not open."), code="wrong_state")
        if clock.now() < locked.voting_closes_at:
            raise Conflict(
                _("Voting closes at %(date)s, not before.") % {"date": day(locked.voting_closes_at)},
                code="too_early",
            )
        rules = election_rules_for(rule_set=locked.rule_set)
        turnout = election_turnout(election=locked, rules=rules)
        if not turnout.quorum_met and locked.extensions < rules.max_extensions:
            locked.extensions += 1
            locked.voting_closes_at = locked.voting_closes_at + dt.timedelta(days=rules.extension_days)
            locked.state = ElectionState.EXTENDED
            locked.turnout = turnout.as_dict()
            locked.save(update_fields=["extensions", "voting_closes_at", "state", "turnout"])
            audit_record(
                actor=actor,
                action="election.voting_extended",
                obj=locked,
                data={
                    "extension": locked.extensions,
                    "closes_at": locked.voting_closes_at,
                    **turnout.as_dict(),
                },
            )
            enqueue("elections.notify_extension", election_id=locked.pk, extension=locked.extensions)
            return locked
        ballots, trackers = _rewrite_shuffled(locked)
        locked.closed_at = clock.now()
        locked.turnout = turnout.as_dict()
        if not turnout.quorum_met:
            locked.state = ElectionState.FAILED
            locked.public_report = _(
                "Quorum was not reached after %(n)s extension(s): %(rows).1f%% of the roll's members "
                "(%(need_rows)s%% needed) holding %(weight).1f%% of its weight (%(need_weight)s%% needed) voted. "
                "The election failed; no result is declared."
            ) % {
                "n": locked.extensions,
                "rows": turnout.rows_percent,
                "need_rows": rules.quorum_members_percent,
                "weight": turnout.weight_percent,
                "need_weight": rules.quorum_weight_percent,
            }
        locked.save(update_fields=["closed_at", "turnout", "state", "public_report"])
        audit_record(
            actor=actor,
            action="election.voting_closed",
            obj=locked,
            data={"ballots": ballots, "trackers": trackers, **turnout.as_dict()},
        )
        if locked.state == ElectionState.FAILED:
            return locked
        # The count runs in its own job, outside this transaction: a long count never holds
        # the election (or, on SQLite, the database) locked. Until it is done the state says so.
        locked.state = ElectionState.COUNTING
        locked.save(update_fields=["state"])
        enqueue("elections.count", election_id=locked.pk)
    return locked


def receipts_send(*, election_id: int) -> int:
    """Send pending receipt emails in one batch and delete them (the ``send_receipts`` job)."""
    sent = 0
    with transaction.atomic():
        pending = list(
            PendingReceipt.objects.select_for_update(skip_locked=True)
            .filter(election_id=election_id)
            .select_related("user", "election")
        )
        for receipt in pending:
            email_queue(
                to=receipt.user.email,
                template="emails/elections/ballot_recorded",
                context={
                    "election": receipt.election,
                    "tracker": receipt.tracker_code,
                    "url": reverse("elections:trackers", kwargs={"slug": receipt.election.slug}),
                },
                purpose="elections.receipt",
                subject_ref=receipt.election.slug,
            )
            sent += 1
        PendingReceipt.objects.filter(pk__in=[r.pk for r in pending]).delete()
    return sent
