"""The demo's elections: a certified past election and one open for voting.

Everything goes through the services with the clock moved to each moment, like the
schedule would do it. Idempotent: an election that exists is left alone. The demo
member (member@demo.charter.invalid) is on the open election's roll and has not voted.

The open election's ballots are sealed (the key wrapped by the development BALLOT_KEK);
the finished ones were opened at their close and hold cleartext ballots and no voted marks.
The demo's simulated voters of finished elections get no receipt emails (they would only
fill the console); the open election's receipts wait for the worker's random batches.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any, TextIO

from core import clock
from core.errors import DomainError
from core.models import Role, RoleAssignment, User
from elections.models import Candidate, Election, ElectionState, PendingReceipt, RollEntry
from elections.services.ballots import ballot_cast, election_after_close
from elections.services.lifecycle import election_create, election_run_schedule
from elections.services.nominations import candidate_accept, nomination_create
from elections.services.results import election_certify, election_count
from governance.models import Cohort, Seat, SeatHolding
from members.models import Membership, MembershipState

DEMO_MEMBER = "member@demo.charter.invalid"
PAST_SLUG = "board-seat-election-2026"
OPEN_SLUG = "board-election-cohort-2027"
# Closed and counted on schedule, waiting for the committee chair to certify it.
COUNTED_SLUG = "board-seat-election-2026-b"


def _committee() -> set[int]:
    roles = (Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR, Role.ELECTION_OBSERVER)
    return set(RoleAssignment.objects.filter(role__in=roles).values_list("user_id", flat=True))


def _long_standing(before: dt.datetime, exclude: set[int]) -> Iterator[Membership]:
    """Individual members who joined before ``before`` (candidates and nominators)."""
    return (
        Membership.objects.filter(
            user__isnull=False,
            member_since__lte=before,
            state__in=(MembershipState.ACTIVE, MembershipState.GRACE),
        )
        .exclude(user_id__in=exclude)
        .exclude(user__email=DEMO_MEMBER)
        .select_related("user")
        .order_by("number")
        .iterator()
    )


def _run(at: dt.datetime) -> None:
    with clock.travel(at):
        closed_before = set(Election.objects.filter(closed_at__isnull=False).values_list("pk", flat=True))
        election_run_schedule()
        # The close queues its jobs; the demo is seeded without a worker, so run them here.
        for pk in (
            Election.objects.filter(closed_at__isnull=False)
            .exclude(pk__in=closed_before)
            .values_list("pk", flat=True)
        ):
            election_after_close(election_id=pk)
        for pk in Election.objects.filter(state=ElectionState.COUNTING).values_list("pk", flat=True):
            election_count(election_id=pk)


def _created_and_nominating(
    *, opens: dt.datetime, lead_days: int = 48, record_days: int = 3, voting_days: int = 16, **fields: Any
) -> Election:
    """An election made through the service ``lead_days`` before voting ``opens`` (the clock
    moved there), with its record date and close around that, and its nominations opened."""
    with clock.travel(opens - dt.timedelta(days=lead_days)):
        election = election_create(
            record_date=opens - dt.timedelta(days=record_days),
            voting_opens_at=opens,
            voting_closes_at=opens + dt.timedelta(days=voting_days),
            **fields,
        )
    _run(election.nominations_open_at)
    election.refresh_from_db()
    return election


def _run_to_voting(election: Election) -> None:
    """The schedule at each step up to voting: the provisional roll, the freeze, the opening."""
    for moment in (election.provisional_roll_at, election.record_date, election.voting_opens_at):
        _run(moment)


def _stand(
    election: Election, people: list[User], nominators: Iterator[Membership], statements: list[str]
) -> int:
    """Nominate and accept each person (skipping anyone the rules refuse); returns how many stand."""
    standing = 0
    with clock.travel(election.nominations_open_at + dt.timedelta(hours=2)):
        for person, statement in zip(people, statements, strict=False):
            for nominator in nominators:
                if nominator.user_id == person.pk:
                    continue
                try:
                    nomination_create(
                        election=election, nominator=nominator, nominee=person, actor=nominator.user
                    )
                except DomainError:
                    continue
                break
            candidate = Candidate.objects.filter(election=election, person=person).first()
            if candidate is None:
                continue
            try:
                candidate_accept(
                    candidate=candidate, statement=statement, employer=None, independent=True, actor=person
                )
            except DomainError:
                continue
            standing += 1
    return standing


def _cast_share(
    election: Election, *, share: float, favourites: list[int], rng: random.Random, skip: set[int]
) -> int:
    candidates = list(
        Candidate.objects.filter(election=election, state="accepted")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = list(
        RollEntry.objects.filter(election=election, voter__isnull=False, struck=False).order_by(
            "member_number"
        )
    )
    rng.shuffle(rows)
    cast = 0
    with clock.travel(election.voting_opens_at + dt.timedelta(days=1)):
        for entry in rows[: int(len(rows) * share)]:
            if entry.voter_id in skip:
                continue
            order = candidates[:]
            rng.shuffle(order)
            if favourites and rng.random() < 0.6:
                order.sort(key=lambda pk: pk not in favourites)
            order = order[: rng.randint(1, len(order))]
            ballot_cast(
                election=election,
                voter=entry.voter,
                roll_entry_id=entry.pk,
                ranks={pk: i for i, pk in enumerate(order, 1)},
            )
            cast += 1
    return cast


def _seed_past(
    now: dt.datetime,
    chair: User | None,
    out: TextIO,
    *,
    slug: str = PAST_SLUG,
    days_ago: int = 75,
    certify: bool = True,
) -> None:
    """A finished single-seat election: certified, or (``certify=False``) counted and waiting."""
    label = "past" if certify else "counted"
    if Election.objects.filter(slug=slug).exists():
        out.write(f"elections: {label} election exists, skipped\n")
        return
    opens = (now - dt.timedelta(days=days_ago)).replace(hour=12, minute=0, second=0, microsecond=0)
    committee = _committee()
    taken = set(
        Election.objects.filter(slug__in=(PAST_SLUG, COUNTED_SLUG)).values_list("seats__pk", flat=True)
    )
    # The seat of a director who is a long-standing member: they stand again and win.
    holding = next(
        (
            h
            for h in SeatHolding.objects.active().select_related("seat", "person").order_by("seat__number")
            if Membership.objects.filter(
                user=h.person, member_since__lte=opens - dt.timedelta(days=120)
            ).exists()
            and h.person_id not in committee
            and h.seat_id not in taken
        ),
        None,
    )
    if holding is None or chair is None:
        out.write(f"elections: no director who is a long-standing member; {label} election skipped\n")
        return
    election = _created_and_nominating(
        opens=opens,
        lead_days=55,
        record_days=5,
        voting_days=14,
        slug=slug,
        title=f"Board election 2026 — {holding.seat}",
        description="Election for one board seat, counted by Meek STV.",
        seats=[holding.seat],
        method="meek",
    )
    exclude = committee | {holding.person_id}
    others = [m.user for m in _long_standing(opens - dt.timedelta(days=120), exclude) if m.user][:2]
    nominators = _long_standing(opens - dt.timedelta(days=50), exclude | {u.pk for u in others})
    _stand(
        election,
        [holding.person, *others],
        nominators,
        [
            "I ask for a second term to finish the mirror-network renewal.",
            "More transparency in how sponsors' staff time is counted.",
            "A stronger security response team, run by volunteers and paid staff together.",
        ],
    )
    _run_to_voting(election)
    election.refresh_from_db()
    incumbent = Candidate.objects.get(election=election, person=holding.person)
    _cast_share(election, share=0.55, favourites=[incumbent.pk], rng=random.Random(2026), skip=set())
    PendingReceipt.objects.filter(election=election).delete()  # simulated voters: no receipt emails
    _run(election.voting_closes_at)
    election.refresh_from_db()
    if certify and election.state == ElectionState.COUNTED:
        with clock.travel(election.voting_closes_at + dt.timedelta(days=1)):
            try:
                election_certify(election=election, actor=chair)
            except DomainError as exc:
                out.write(f"elections: past election not certified: {exc.message}\n")
    election.refresh_from_db()
    out.write(f"elections: {label} election {election.state}, elected {election.result.get('elected')}\n")


def _seed_open(now: dt.datetime, out: TextIO) -> None:
    if Election.objects.filter(slug=OPEN_SLUG).exists():
        out.write("elections: open election exists, skipped\n")
        return
    cohort = Cohort.objects.order_by("term_end", "code").first()
    seats = (
        list(Seat.objects.filter(cohort=cohort, abolished_at__isnull=True).order_by("number"))
        if cohort
        else []
    )
    if cohort is None or not seats:
        out.write("elections: no board seats; open election skipped\n")
        return
    opens = (now - dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    election = _created_and_nominating(
        opens=opens,
        slug=OPEN_SLUG,
        title=f"Board election — cohort {cohort.code}",
        description=(
            f"Elects the {len(seats)} directors of cohort {cohort.code} "
            f"for the term from {cohort.term_end:%Y-%m-%d}."
        ),
        seats=seats,
        cohort=cohort,
        method="meek",
    )
    committee = _committee()
    people = [m.user for m in _long_standing(opens - dt.timedelta(days=110), committee) if m.user][3:7]
    nominators = _long_standing(opens - dt.timedelta(days=50), committee | {u.pk for u in people})
    _stand(
        election,
        people,
        nominators,
        [
            "Reproducible builds for every architecture by the next release.",
            "Predictable release dates and a published security embargo policy.",
            "Grow the individual membership: free for students, easy for mirrors.",
            "Keep the foundation independent: no single sponsor above the cap.",
        ],
    )
    _run_to_voting(election)
    election.refresh_from_db()
    demo_member = User.objects.filter(email=DEMO_MEMBER).first()
    skip = {demo_member.pk} if demo_member else set()
    cast = _cast_share(election, share=0.3, favourites=[], rng=random.Random(2027), skip=skip)
    out.write(f"elections: open election {election.state}, {cast} ballots cast so far\n")


def seed_elections(*, stdout: TextIO, **_: Any) -> None:
    now = clock.now()
    chair = User.objects.filter(email="election-chair@demo.charter.invalid").first()
    _seed_past(now, chair, stdout)
    _seed_past(now, chair, stdout, slug=COUNTED_SLUG, days_ago=16, certify=False)
    _seed_open(now, stdout)
