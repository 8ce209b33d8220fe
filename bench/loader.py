"""Bulk loader for the benchmarks: the demo foundation, then 100,000 members in bulk.

One file on purpose (the integrator adapts it when the shapes change). It writes with
``bulk_create`` what the services would write one by one, in the same shapes:

- users and individual memberships (class ``individual``), joined at random moments over
  the past ~400 days, each with its ``MembershipEvent`` history as the transition service
  records it: ``activated`` at joining; for a term that ended, ``grace_started`` at expiry,
  then ``renewed`` (most) or ``lapsed`` after the grace period;
- organisations with a representative and an organisation membership (sponsor classes);
- then the materialised rights snapshot (``members.standing.refresh_standings``), once, in
  one statement: without it every right falls back to the slow history read;
- then one election through the real services (``bench-election``, cohort B's seats):
  candidates nominated and accepted, the provisional roll, the roll frozen at the record
  date by the schedule (so every eligible bulk member is on it), voting opened (its sealed
  ballot key made), with the clock moved to each moment as the schedule would;
- sessions for the voters who will cast (``sessions``): rows in ``django_session``
  encoded with the server's ``SECRET_KEY``, and a CSRF secret each; written to a file
  the wrk Lua script reads.

Not written in bulk: audit entries for the bulk transitions (the demo's own members have
theirs), and payments/invoices for the bulk members.

Run with the server's environment (same ``SECRET_KEY`` and ``BALLOT_KEK``) and
``DJANGO_SETTINGS_MODULE=config.settings.test`` on the benchmark database:
``python bench/loader.py --members 100000 --organisations 300 --voters 20000 --out DIR``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

BENCH_SLUG = "bench-election"
BATCH = 5000
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _number(rng: random.Random, used: set[str]) -> str:
    while True:
        raw = "".join(rng.choice(_ALPHABET) for _ in range(8))
        number = f"M-{raw[:4]}-{raw[4:]}"
        if number not in used:
            used.add(number)
            return number


def _history(
    rng: random.Random, joined: dt.datetime, now: dt.datetime, term: dt.timedelta, grace: dt.timedelta
) -> tuple[list[tuple[dt.datetime, str, str, dt.datetime]], str, dt.datetime, dt.datetime]:
    """The events one membership's year produces: (at, kind, state, expires_at); final state."""
    expires = joined + term
    events = [(joined, "activated", "active", expires)]
    term_start = joined
    state = "active"
    while expires <= now:
        events.append((expires, "grace_started", "grace", expires))
        state = "grace"
        if rng.random() < 0.8:  # renewed during grace
            at = expires + dt.timedelta(days=rng.uniform(0, max(grace.days - 1, 1)))
            if at > now:
                break
            term_start = expires
            expires = expires + term
            events.append((at, "renewed", "active", expires))
            state = "active"
        else:
            at = expires + grace
            if at <= now:
                events.append((at, "lapsed", "lapsed", expires))
                state = "lapsed"
            break
    return events, state, expires, term_start


def load_members(*, members: int, organisations: int, seed: int = 16) -> dict[str, int | str]:
    from django.db import connection

    from core import clock
    from core.models import User
    from core.rules import rules_in_force
    from members.models import Membership, MembershipEvent, Organisation
    from members.standing import refresh_standings

    rng = random.Random(seed)
    now = clock.now()
    rules = rules_in_force(at=now)
    term = dt.timedelta(days=rules.membership_term_days)
    grace = dt.timedelta(days=rules.grace_days)
    org_classes = list(
        rules.membership_classes.filter(kind="organisation")
        .order_by("-vote_weight")
        .values_list("code", flat=True)
    )
    used = set(Membership.objects.values_list("number", flat=True))

    users = [
        User(email=f"bench{i}@bench.charter.invalid", full_name=f"Bench Member {i}", password="!")  # noqa: S106 - unusable
        for i in range(members + organisations)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    user_ids = list(
        User.objects.filter(email__endswith="@bench.charter.invalid")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    people, reps = user_ids[:members], user_ids[members:]

    orgs = [
        Organisation(legal_name=f"Bench Organisation {i}", slug=f"bench-org-{i}", representative_id=reps[i])
        for i in range(organisations)
    ]
    Organisation.objects.bulk_create(orgs, batch_size=BATCH)
    org_ids = list(
        Organisation.objects.filter(slug__startswith="bench-org-").order_by("pk").values_list("pk", flat=True)
    )

    rows: list[Membership] = []
    histories: list[list[tuple[dt.datetime, str, str, dt.datetime]]] = []
    owners: list[tuple[int | None, int | None, str]] = [(uid, None, "individual") for uid in people]
    weights = [0.5, 0.2, 0.15, 0.15][: len(org_classes)] or [1.0]
    owners += [(None, oid, rng.choices(org_classes, weights=weights)[0]) for oid in org_ids]
    for user_id, org_id, code in owners:
        joined = now - dt.timedelta(days=rng.uniform(20, 400), seconds=rng.randrange(86400))
        events, state, expires, term_start = _history(rng, joined, now, term, grace)
        histories.append(events)
        rows.append(
            Membership(
                number=_number(rng, used),
                user_id=user_id,
                organisation_id=org_id,
                class_code=code,
                state=state,
                member_since=joined,
                term_start=term_start,
                expires_at=expires,
                in_directory=org_id is not None or rng.random() < 0.6,
                created_at=joined,
                updated_at=events[-1][0],
            )
        )
    Membership.objects.bulk_create(rows, batch_size=BATCH)
    by_number = dict(
        Membership.objects.filter(number__in=[m.number for m in rows]).values_list("number", "pk")
    )
    total_events = 0
    batch: list[MembershipEvent] = []
    for membership, events in zip(rows, histories, strict=True):
        pk = by_number[membership.number]
        for at, kind, state, expires in events:
            batch.append(
                MembershipEvent(
                    membership_id=pk,
                    at=at,
                    kind=kind,
                    state=state,
                    class_code=membership.class_code,
                    member_since=membership.member_since,
                    expires_at=expires,
                    actor_ref="system",
                    recorded_at=at,
                )
            )
        if len(batch) >= BATCH:
            MembershipEvent.objects.bulk_create(batch, batch_size=BATCH)
            total_events += len(batch)
            batch = []
    MembershipEvent.objects.bulk_create(batch, batch_size=BATCH)
    total_events += len(batch)
    refresh_standings()  # after the bulk MembershipEvent rows: the one-query rights read it
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "members": members,
        "organisations": organisations,
        "events": total_events,
        "snapshot_backfill": "members.standing.refresh_standings",
    }


def load_election(*, candidates: int = 8) -> dict[str, object]:
    """The bench election, through the services, open for voting now."""
    from core import clock
    from demo.elections import _created_and_nominating, _long_standing, _run_to_voting, _stand
    from elections.models import Election, RollEntry
    from governance.models import Cohort, Seat

    now = clock.now()
    cohort = Cohort.objects.order_by("term_end", "code")[1]
    seats = list(Seat.objects.filter(cohort=cohort, abolished_at__isnull=True).order_by("number"))
    opens = (now - dt.timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)
    election = _created_and_nominating(
        opens=opens,
        slug=BENCH_SLUG,
        title=f"Bench election — cohort {cohort.code}",
        seats=seats,
        cohort=cohort,
        method="meek",
    )
    people = [m.user for m in _long_standing(opens - dt.timedelta(days=200), set()) if m.user][
        10 : 10 + candidates
    ]
    nominators = _long_standing(opens - dt.timedelta(days=60), {u.pk for u in people})
    standing = _stand(election, people, nominators, [f"Statement {i}" for i in range(len(people))])
    t0 = time.perf_counter()
    _run_to_voting(election)
    election = Election.objects.get(pk=election.pk)
    return {
        "slug": election.slug,
        "state": election.state,
        "candidates": standing,
        "roll_rows": RollEntry.objects.filter(election=election).count(),
        "schedule_seconds": round(time.perf_counter() - t0, 1),
    }


DRILL_SLUGS = ("drill-freeze", "drill-remind", "drill-count")


def load_drill_elections() -> dict[str, object]:
    """Three small elections whose next step is due now (the worker-kill drill, bench/faults.py).

    ``drill-freeze``: its record date passed ten minutes ago, the roll not frozen yet;
    ``drill-remind``: voting closes in twelve hours, no reminder sent yet; ``drill-count``:
    voting closed an hour ago with 30 % of its roll cast, not closed yet. One run of the
    ``elections.run_schedule`` job freezes the first, reminds the second's voters and closes
    the third (which queues its ``elections.count`` job). Built through the services with the
    clock moved to each moment, never later than an hour ago.
    """
    from core import clock
    from demo.elections import _cast_share, _created_and_nominating, _long_standing, _run, _stand
    from elections.models import Election
    from governance.models import Seat

    now = clock.now()
    seats = list(Seat.objects.filter(abolished_at__isnull=True).order_by("number")[:1])
    plans = {
        "drill-freeze": now + dt.timedelta(days=3, minutes=-10),  # voting opens; record date 3 days before
        "drill-remind": now + dt.timedelta(hours=12) - dt.timedelta(days=16),
        "drill-count": now - dt.timedelta(hours=1) - dt.timedelta(days=16),
    }
    made = []
    for i, (slug, opens) in enumerate(plans.items()):
        election = _created_and_nominating(
            opens=opens, slug=slug, title=f"Drill election {slug}", seats=seats, method="meek"
        )
        people = [m.user for m in _long_standing(opens - dt.timedelta(days=200), set()) if m.user][
            20 + 4 * i : 24 + 4 * i
        ]
        nominators = _long_standing(opens - dt.timedelta(days=60), {u.pk for u in people})
        _stand(election, people, nominators, [f"Statement {n}" for n in range(len(people))])
        moments = [election.provisional_roll_at]
        if slug != "drill-freeze":
            moments += [election.record_date, election.voting_opens_at]
        for moment in moments:
            _run(moment)
        election = Election.objects.get(pk=election.pk)
        if slug == "drill-count":
            _cast_share(election, share=0.3, favourites=[], rng=random.Random(16), skip=set())
        made.append(slug)
    return {"drill_elections": made}


def _csrf_secret() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def make_sessions(*, voters: int, out: Path, seed: int = 16) -> dict[str, int]:
    """Sessions for ``voters`` bench members on the roll who have not voted, and a file for wrk.

    Each line: ``session_key csrf_secret entry_uuid rank-A=1&rank-B=2…`` (a ranked prefix).
    A second file lists member numbers in the directory (voting-rights requests).
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from core import clock
    from core.models import User
    from elections.models import Candidate, Election, RollEntry
    from members.models import Membership

    # The server's key signs the sessions (test settings fix their own; the bench passes it).
    settings.SECRET_KEY = os.environ.get("BENCH_SECRET_KEY") or settings.SECRET_KEY
    rng = random.Random(seed)
    election = Election.objects.get(slug=BENCH_SLUG)
    cands = list(
        Candidate.objects.filter(election=election, state="accepted")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    entries = list(
        RollEntry.objects.filter(
            election=election,
            voter__email__endswith="@bench.charter.invalid",
            has_voted=False,
            struck=False,
            alternate__isnull=True,
        )
        .order_by("member_number")
        .values_list("pk", "voter_id")
    )
    rng.shuffle(entries)
    seen: set[int] = set()
    chosen = []
    for pk, voter in entries:
        if voter not in seen:
            seen.add(voter)
            chosen.append((pk, voter))
        if len(chosen) == voters:
            break
    users = {u.pk: u for u in User.objects.filter(pk__in=[v for _, v in chosen])}
    backend = settings.AUTHENTICATION_BACKENDS[0]
    expire = clock.now() + dt.timedelta(days=1)
    store = SessionStore()
    sessions, lines = [], []
    for entry, voter in chosen:
        key = secrets.token_hex(16)
        user = users[voter]
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        order = cands[:]
        rng.shuffle(order)
        order = order[: rng.randint(1, len(order))]
        ranks = "&".join(f"rank-{c}={i}" for i, c in enumerate(order, 1))
        lines.append(f"{key} {_csrf_secret()} {entry} {ranks}")
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    out.mkdir(parents=True, exist_ok=True)
    (out / "voters.txt").write_text("\n".join(lines) + "\n")
    numbers = list(
        Membership.objects.filter(user__isnull=False, in_directory=True)
        .order_by("?")
        .values_list("number", flat=True)[:5000]
    )
    (out / "numbers.txt").write_text("\n".join(numbers) + "\n")
    return {"sessions": len(sessions), "numbers": len(numbers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--voters", type=int, default=20_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sessions-only", action="store_true", help="only new sessions (the data exists)")
    parser.add_argument(
        "--drill-elections",
        action="store_true",
        help="only the worker-kill drill's elections (the data exists)",
    )
    args = parser.parse_args()

    import django
    from django.core.management import call_command

    django.setup()
    report: dict[str, object] = {}
    t0 = time.perf_counter()
    if args.drill_elections:
        print(json.dumps(load_drill_elections()))
        return
    if not args.sessions_only:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - discarded output
        report["demo_seconds"] = round(time.perf_counter() - t0, 1)
        t1 = time.perf_counter()
        report.update(load_members(members=args.members, organisations=args.organisations))
        report["bulk_seconds"] = round(time.perf_counter() - t1, 1)
        report["election"] = load_election()
    report.update(make_sessions(voters=args.voters, out=args.out))
    report["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
