"""How long voting_rights_bulk takes to answer for N members (what a roll freeze reads).

Usage: python bench/bench_voting_rights.py [N ...]   (default 1000 10000 50000)
Uses DATABASE_URL when set (PostgreSQL), else SQLite. Prints figures; asserts nothing.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from _setup import benchmark_database


def populate(first: int, n: int) -> None:
    from django.contrib.auth.hashers import make_password

    from core.models import User
    from members.models import Membership, MembershipEvent

    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.org", password=unusable) for i in range(first, first + n)],
        batch_size=5000,
    )
    members = Membership.objects.bulk_create(
        [
            Membership(
                user=u, class_code="individual", state="active", expires_at=start + dt.timedelta(days=365)
            )
            for u in users
        ],
        batch_size=5000,
    )
    events = []
    for i, m in enumerate(members):
        joined = start - dt.timedelta(days=i % 300)
        events.append(
            MembershipEvent(
                membership=m,
                at=joined,
                kind="activated",
                state="active",
                class_code="individual",
                member_since=joined,
                expires_at=joined + dt.timedelta(days=365),
            )
        )
        if i % 5 == 0:  # a fifth have a longer history: a renewal
            events.append(
                MembershipEvent(
                    membership=m,
                    at=joined + dt.timedelta(days=360),
                    kind="renewed",
                    state="active",
                    class_code="individual",
                    member_since=joined,
                    expires_at=joined + dt.timedelta(days=730),
                )
            )
    MembershipEvent.objects.bulk_create(events, batch_size=5000)
    from members.standing import refresh_standings

    refresh_standings([m.pk for m in members])  # bulk loaders materialise the snapshot too


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000, 50000]
    with benchmark_database() as vendor:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from members.models import Membership
        from members.rights import voting_rights_bulk

        at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
        done = 0
        print(f"voting_rights_bulk on {vendor}")
        for n in sorted(sizes):
            populate(done, n - done)
            done = n
            if vendor == "postgresql":  # as autovacuum would, so the planner knows the sizes
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            assert Membership.objects.count() == n
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                rows = voting_rights_bulk(at=at)
            elapsed = time.perf_counter() - t0
            eligible = sum(r.eligible for r in rows)
            print(
                f"  {n:>7} members: {elapsed:6.2f} s, {len(queries.captured_queries)} queries, {eligible} eligible, "
                f"{n / elapsed:,.0f} members/s"
            )
            # One member's answer in-process, as the API computes it (now, and a past moment).
            from members.rights import voting_rights

            sample = list(Membership.objects.order_by("?")[:200])
            for label, moment in (("now", None), ("at a past moment", at - dt.timedelta(days=200))):
                voting_rights(subject=sample[0], at=moment)  # warm the rule-set cache
                with CaptureQueriesContext(connection) as single:
                    voting_rights(subject=sample[0], at=moment)
                t1 = time.perf_counter()
                for m in sample:
                    voting_rights(subject=m, at=moment)
                per = (time.perf_counter() - t1) / len(sample)
                print(
                    f"           one answer {label}: {1000 * per:.2f} ms, {len(single.captured_queries)} queries"
                )


if __name__ == "__main__":
    main()
