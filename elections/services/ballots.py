"""Casting ballots, sending receipts, and closing (or cancelling) the vote.

Threat model (shown on the election page and in the README): someone who reads the
database (or a dump, a replica, a backup) **during voting** learns who has voted, not
how; **after the close** they learn neither, except what weighted voting cannot hide (a
ballot whose weight only one member of the roll has is that member's ballot).

- Casting marks the roll row and stores the ballot **sealed** to the election's public key
  (``elections.sealing``): choices and weight encrypted and padded to one length. It also
  writes a tracker (no link to the ballot) and a ``PendingReceipt``; no audit entry, no
  email row, no outbox row, no log line, no session write. Whatever pairs the cast's rows
  (SQLite row ids, PostgreSQL's ``xmin``, a backup) pairs a voter with ciphertext only.
- Receipts leave in batches at random times (``receipts_batch_maybe``, from the schedule),
  in random order, with one time for the whole batch; the email row keeps the recipient
  and the template name, never the tracker.
- The close, in one transaction: lock, check quorum, unwrap the election's private key
  (with ``BALLOT_KEK`` from the environment), open every sealed ballot, write them as
  ``Ballot`` rows afresh in random order, delete the sealed rows, rewrite trackers and
  roll rows in random order with the voted marks removed (turnout is kept as totals by
  class in ``Election.turnout``), delete the election's voting reminders and receipt email
  rows, delete the key. A job right after the commit (``election_after_close``) sends any
  receipt still waiting and runs a plain ``VACUUM`` on PostgreSQL so the dead row versions
  of voting are gone; SQLite overwrites deleted content itself (``secure_delete``).
- A cancellation during voting destroys the sealed ballots unopened (``ballots_discard``).

Each defence is its own small function below, so the adversary test
(``tests/elections/adversary.py``) can switch one off and show that it finds links then.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, NotFound, ValidationFailed
from core.mail import email_forget, email_send_unstored
from core.models import OutgoingEmail
from core.outbox import enqueue
from elections import permissions, sealing
from elections.models import (
    Ballot,
    BallotKey,
    Candidate,
    CandidateState,
    Election,
    ElectionState,
    Method,
    PendingReceipt,
    RollEntry,
    SealedBallot,
    Tracker,
    VotingReminder,
)
from elections.rules import election_rules_for
from elections.selectors import election_turnout, published_turnout
from elections.services.common import day, lock_election, lock_election_shared

log = logging.getLogger(__name__)

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


RECEIPT_PURPOSE = "elections.receipt"
RECEIPT_TEMPLATE = "emails/elections/ballot_recorded"


# --- The election key ---------------------------------------------------------------


def ballot_key_create(*, election: Election) -> BallotKey:
    """Generate the election's key pair (the caller holds the election lock): voting opens.

    The private half is stored wrapped by ``BALLOT_KEK``; the plaintext length every ballot
    is padded to is fixed now, from the number of candidates on the ballot.
    """
    existing = BallotKey.objects.filter(election=election).first()
    if existing is not None:
        return existing
    pair = sealing.generate_key(election_id=election.pk, candidates=len(_standing(election)))
    return BallotKey.objects.create(
        election=election,
        public_key=pair.public,
        wrapped_private_key=pair.wrapped_private,
        kek_id=pair.kek_id,
        pad_to=pair.pad_to,
    )


def _ballot_key(election: Election) -> BallotKey:
    # An election that opened before ballots were sealed gets its key at its first cast.
    # Casts only share the election lock, so two first casts may race to make it: the
    # second one's insert fails on the key's primary key and it takes the first one's key.
    key = BallotKey.objects.filter(election=election).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return ballot_key_create(election=election)
    except IntegrityError:
        return BallotKey.objects.get(election=election)


# --- Casting ----------------------------------------------------------------------------


def _store_ballot(election: Election, key: BallotKey, choices: list[int], weight: int) -> None:
    """Defence: the cast stores the ballot sealed (choices and weight), never in the clear."""
    SealedBallot.objects.create(
        election=election,
        sealed=sealing.seal(
            election_id=election.pk,
            public=bytes(key.public_key),
            pad_to=key.pad_to,
            choices=choices,
            weight=weight,
        ),
    )


def _receipt_pending(election: Election, voter: Any, tracker_code: str) -> None:
    """Defence: a receipt waits for a random batch; no email row, no outbox row per cast."""
    PendingReceipt.objects.create(election=election, user=voter, tracker_code=tracker_code)


def _own_entry(election: Election, voter: Any, entry_pk: uuid.UUID) -> Mapping[str, Any]:
    """The roll row ``voter`` may cast (as voter or alternate), unless struck."""
    entry = (
        RollEntry.objects.filter(election=election, pk=entry_pk)
        .filter(Q(voter=voter) | Q(alternate=voter))
        .values("pk", "member_number", "weight", "has_voted", "struck")
        .first()
    )
    if entry is None:
        raise NotFound(_("You are not on this election's roll."), code="not_on_roll")
    if entry["struck"]:
        raise Conflict(_("This vote was struck from the roll: the member is suspended."), code="struck")
    return entry


def ballot_check(
    *,
    election: Election,
    voter: Any,
    roll_entry_id: Any,
    ranks: Mapping[int, int] | None = None,
    marks: Sequence[int] | None = None,
) -> list[int]:
    """Everything ``ballot_cast`` checks, without casting: the ballot's review step.

    Returns the choices (candidate ids, in order for ranked methods). Writes nothing and
    locks nothing; the cast checks it all again under the election's lock.
    """
    entry_pk = _roll_entry_pk(roll_entry_id)
    _check_window(election, clock.now())
    entry = _own_entry(election, voter, entry_pk)
    if entry["has_voted"]:
        raise Conflict(_("A ballot has already been cast for this vote."), code="already_voted")
    return check_choices(election=election, ranks=ranks, marks=marks)


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
    as the sealed ballot's insert: a second request for the same row finds no row to
    update and stores nothing. Returns the tracker code (shown once; the receipt email
    follows in a later batch).

    Casts hold the election row in SHARE mode (``lock_election_shared``): they do not wait
    for one another, only for (and are then refused by) a close, cancel or extension, which
    lock it FOR UPDATE. A cast never slips past the close: the close waits for every cast
    that holds the share lock (their ballots are opened and counted), and a cast that comes
    later reads the closed state.
    """
    entry_pk = _roll_entry_pk(roll_entry_id)
    with transaction.atomic():
        locked = lock_election_shared(election)
        _check_window(locked, clock.now())
        entry = _own_entry(locked, voter, entry_pk)
        choices = check_choices(election=locked, ranks=ranks, marks=marks)
        flipped = RollEntry.objects.filter(pk=entry["pk"], has_voted=False, struck=False).update(
            has_voted=True
        )
        if flipped != 1:
            raise Conflict(_("A ballot has already been cast for this vote."), code="already_voted")
        _store_ballot(locked, _ballot_key(locked), choices, entry["weight"])
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    tracker = Tracker.objects.create(election=locked)
                break
            except IntegrityError:  # a tracker code collision: draw again
                continue
        else:  # pragma: no cover - 80 random bits colliding five times
            raise Conflict(_("Please try again."), code="tracker_collision")
        _receipt_pending(locked, voter, tracker.code)
    return CastReceipt(tracker=tracker.code, member_number=entry["member_number"])


# --- Receipts -------------------------------------------------------------------------------


def receipts_batch_maybe(*, election: Election) -> bool:
    """Decide at random whether the waiting receipts go out now (the schedule, every minute).

    With at least ``RECEIPT_BATCH_MIN`` receipts waiting the chance is 1 in
    ``RECEIPT_BATCH_MINUTES`` per minute, with fewer 1 in ``RECEIPT_BATCH_SMALL_MINUTES``:
    batches leave at random times, so a receipt's time says little about when its vote was
    cast. Queues one ``elections.send_receipts`` job (one outbox row per batch).
    """
    waiting = PendingReceipt.objects.filter(election=election).count()
    if not waiting:
        return False
    minimum = int(getattr(settings, "RECEIPT_BATCH_MIN", 5))
    minutes = int(
        getattr(settings, "RECEIPT_BATCH_MINUTES", 30)
        if waiting >= minimum
        else getattr(settings, "RECEIPT_BATCH_SMALL_MINUTES", 720)
    )
    if _rng.random() * max(minutes, 1) >= 1:
        return False
    enqueue("elections.send_receipts", election_id=election.pk)
    return True


def receipts_send(*, election_id: int) -> int:
    """Send the election's waiting receipts in one batch (the ``send_receipts`` job).

    The rows are taken and deleted in a short transaction, then the emails are sent in
    random order, outside it. While voting is open an email row is kept per receipt with
    the recipient and template only (who was not reached); after the close none is kept.
    A receipt the mail server could not take waits for the next batch.
    """
    election = Election.objects.filter(pk=election_id).first()
    if election is None:
        return 0
    with transaction.atomic():
        pending = list(
            PendingReceipt.objects.select_for_update(
                skip_locked=connection.features.has_select_for_update_skip_locked, of=("self",)
            )
            .filter(election_id=election_id)
            .select_related("user")
        )
        messages = [(receipt.user.email, receipt.user_id, receipt.tracker_code) for receipt in pending]
        PendingReceipt.objects.filter(pk__in=[r.pk for r in pending]).delete()
    if not messages:
        return 0
    _rng.shuffle(messages)
    url = reverse("elections:trackers", kwargs={"slug": election.slug})
    _sent, unreachable = email_send_unstored(
        messages=[(to, {"election": election, "tracker": code, "url": url}) for to, _user, code in messages],
        template=RECEIPT_TEMPLATE,
        purpose=RECEIPT_PURPOSE,
        subject_ref=election.slug,
        record=election.is_voting,
    )
    if unreachable:
        PendingReceipt.objects.bulk_create(
            PendingReceipt(election=election, user_id=messages[i][1], tracker_code=messages[i][2])
            for i in unreachable
        )
    return len(messages) - len(unreachable)


# --- The close -------------------------------------------------------------------------------


def _shuffle(rows: list[Any]) -> None:
    """Defence: rows are written back in random order (no trace of the order of voting)."""
    _rng.shuffle(rows)


def _mark_after_close(has_voted: bool | None) -> bool | None:
    """Defence: the close keeps no per-voter voted mark (turnout lives on as totals)."""
    return None


def _open_ballots(election: Election) -> list[tuple[list[int], int]]:
    """Every ballot of the election in the clear: the sealed ones opened with the unwrapped key.

    Ballots cast before sealing existed (an election open during the upgrade) are already
    ``Ballot`` rows and are read as they are.
    """
    opened: list[tuple[list[int], int]] = [
        (list(c), int(w))
        for c, w in Ballot.objects.filter(election=election).values_list("choices", "weight")
    ]
    sealed = SealedBallot.objects.filter(election=election).values_list("sealed", flat=True)
    if not sealed.exists():
        return opened
    key = BallotKey.objects.filter(election=election).first()
    if key is None:
        log.error("elections: %s has sealed ballots but no ballot key", election.slug)
        raise Conflict(
            _("The election's ballot key is missing: the ballots cannot be opened."),
            code="ballot_key_missing",
        )
    try:
        private = sealing.unwrap_key(election_id=election.pk, wrapped_private=bytes(key.wrapped_private_key))
    except sealing.SealError:
        log.error(
            "elections: %s: the ballot key was wrapped by key-encryption key %s, not the one in force (%s)",
            election.slug,
            key.kek_id,
            sealing.kek_id(),
        )
        raise Conflict(
            _("The ballot key cannot be unwrapped: BALLOT_KEK is not the one in force when voting opened."),
            code="ballot_key_unreadable",
        ) from None
    try:
        for blob in sealed.iterator(chunk_size=BATCH):
            opened.append(sealing.open_sealed(election_id=election.pk, private=private, sealed=bytes(blob)))
    except sealing.SealError:
        log.error("elections: %s: a sealed ballot does not open (altered?)", election.slug)
        raise Conflict(
            _("A sealed ballot does not open: the ballots were altered."), code="sealed_ballot_unreadable"
        ) from None
    return opened


def _rewrite_roll(election: Election) -> None:
    """Roll rows afresh in random order with fresh ids, without the voted marks."""
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
            "salt",
            "listed",
        )
    )
    RollEntry.objects.filter(election=election).delete()
    _shuffle(roll)
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
                has_voted=_mark_after_close(h),
                struck=x,
                struck_reason=r,
                salt=salt,
                listed=listed,
            )
            for n, t, k, w, v, a, h, x, r, salt, listed in roll
        ),
        batch_size=BATCH,
    )


def _rewrite_shuffled(election: Election) -> tuple[int, int]:
    """Ballots opened and written afresh, trackers and roll rows rewritten, all in random order."""
    ballots = _open_ballots(election)
    trackers = list(Tracker.objects.filter(election=election).values_list("code", flat=True))
    Ballot.objects.filter(election=election).delete()
    SealedBallot.objects.filter(election=election).delete()
    Tracker.objects.filter(election=election).delete()
    _shuffle(ballots)
    _shuffle(trackers)
    Ballot.objects.bulk_create(
        (Ballot(election=election, choices=c, weight=w) for c, w in ballots), batch_size=BATCH
    )
    Tracker.objects.bulk_create(
        (Tracker(election=election, code=code) for code in trackers), batch_size=BATCH
    )
    _rewrite_roll(election)
    return len(ballots), len(trackers)


def _forget_receipts(election: Election) -> None:
    """Defence: no email row of a receipt outlives the close (a receipt says who voted)."""
    email_forget(purpose=RECEIPT_PURPOSE, subject_ref=election.slug)


def _forget_who_voted(election: Election) -> None:
    """Defence: what says who voted goes with the marks: voting reminders (sent to those who
    had not voted yet) with their email rows, and the receipts' email rows. Then the key."""
    reminders = VotingReminder.objects.filter(election=election)
    emails = [pk for pk in reminders.values_list("email_id", flat=True) if pk is not None]
    reminders.delete()
    OutgoingEmail.objects.filter(pk__in=emails).delete()
    _forget_receipts(election)
    BallotKey.objects.filter(election=election).delete()


def _freeze_turnout(election: Election, figures: dict[str, Any]) -> dict[str, Any]:
    rules = election_rules_for(rule_set=election.rule_set)
    return published_turnout(figures, min_class_size=rules.turnout_min_class_size)


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
            locked.turnout = _freeze_turnout(locked, turnout.as_dict())
            locked.save(update_fields=["extensions", "voting_closes_at", "state", "turnout"])
            audit_record(
                actor=actor,
                action="election.voting_extended",
                obj=locked,
                data={"extension": locked.extensions, "closes_at": locked.voting_closes_at, **locked.turnout},
            )
            enqueue("elections.notify_extension", election_id=locked.pk, extension=locked.extensions)
            return locked
        ballots, trackers = _rewrite_shuffled(locked)
        _forget_who_voted(locked)
        locked.closed_at = clock.now()
        locked.turnout = _freeze_turnout(locked, turnout.as_dict())
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
            data={"ballots": ballots, "trackers": trackers, **locked.turnout},
        )
        # After the commit: the last receipts, then the dead row versions of voting go.
        enqueue("elections.after_close", election_id=locked.pk)
        if locked.state == ElectionState.FAILED:
            return locked
        # The count runs in its own job, outside this transaction: a long count never holds
        # the election (or, on SQLite, the database) locked. Until it is done the state says so.
        locked.state = ElectionState.COUNTING
        locked.save(update_fields=["state"])
        enqueue("elections.count", election_id=locked.pk)
    return locked


def ballots_discard(*, election: Election) -> int:
    """A cancellation during voting (the caller holds the election lock and writes the audit entry).

    The sealed ballots are destroyed unopened with the key: nobody ever reads the ballots
    of a cancelled election. Trackers and waiting receipts go with them (there is no counted
    set to check a tracker against); the roll is rewritten without voted marks, and turnout
    is kept as totals by class, as at a close. Returns how many ballots were destroyed.
    """
    rules = election_rules_for(rule_set=election.rule_set)
    turnout = election_turnout(election=election, rules=rules)
    destroyed = SealedBallot.objects.filter(election=election).count()
    destroyed += Ballot.objects.filter(election=election).count()
    SealedBallot.objects.filter(election=election).delete()
    Ballot.objects.filter(election=election).delete()
    Tracker.objects.filter(election=election).delete()
    PendingReceipt.objects.filter(election=election).delete()
    _rewrite_roll(election)
    _forget_who_voted(election)
    election.turnout = _freeze_turnout(election, turnout.as_dict())
    election.save(update_fields=["turnout"])
    enqueue("elections.after_close", election_id=election.pk)
    return destroyed


# --- After the close -------------------------------------------------------------------------

#: The tables whose dead row versions may still pair a voter with a cast: the VACUUM list.
SECRECY_MODELS = (
    Ballot,
    SealedBallot,
    Tracker,
    RollEntry,
    BallotKey,
    PendingReceipt,
    VotingReminder,
    OutgoingEmail,
)


def _vacuum(tables: Sequence[str]) -> bool:
    """Defence: a plain VACUUM (not FULL: it takes no lock that blocks casting elsewhere) on
    PostgreSQL, on a connection of its own in autocommit (VACUUM cannot run in a transaction).
    ``INDEX_CLEANUP ON`` so index entries of dead rows go too. SQLite needs none: it runs with
    ``secure_delete`` on. Returns whether it ran."""
    if connection.vendor != "postgresql":
        return False
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        own.set_autocommit(True)
        with own.cursor() as cursor:
            cursor.execute("SET lock_timeout = '30s'")
            quoted = ", ".join(own.ops.quote_name(t) for t in tables)
            # A caller inside a transaction (a test's, never the job's) holds locks on these
            # tables: the truncation of empty trailing pages would wait 5 s per table for them.
            # Its uncommitted rows are invisible to this connection anyway; the rest is vacuumed.
            truncate = "" if not connection.in_atomic_block else ", TRUNCATE OFF"
            cursor.execute(f"VACUUM (INDEX_CLEANUP ON{truncate}) {quoted}")
    except DatabaseError as exc:  # autovacuum will get there; say so
        log.warning("elections: VACUUM after the close failed: %s", exc)
        return False
    finally:
        own.close()
    return True


def election_after_close(*, election_id: int) -> str:
    """Right after a close or a cancellation commits (the ``elections.after_close`` job).

    Sends the receipts still waiting (kept as no email row), deletes any receipt email row
    of the election, then vacuums the tables that held the voting's row versions. Safe to
    run twice.
    """
    election = Election.objects.filter(pk=election_id).first()
    if election is None:
        return f"election {election_id}: gone"
    sent = receipts_send(election_id=election_id)
    _forget_receipts(election)
    vacuumed = _vacuum([model._meta.db_table for model in SECRECY_MODELS])
    return f"{election.slug}: {sent} receipts sent, vacuum {'done' if vacuumed else 'not needed'}"
