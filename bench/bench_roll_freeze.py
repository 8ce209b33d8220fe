"""Freeze a voter roll of 100,000 members; beside it, one bare ``INSERT … SELECT`` of the
same rows in the same run, and the ratio (target: at most 3x).

``run(members=100000)`` returns ``[{"name", "seconds", "extra"}, …]`` for the ``make bench``
driver; it expects a database it may fill (the driver's, or the throwaway one ``main`` makes).

Run: ``make bench`` or ``DJANGO_SETTINGS_MODULE=config.settings.test python bench/bench_roll_freeze.py``
(``BENCH_MEMBERS`` changes the size; ``DATABASE_URL`` picks the database). It works in a
throwaway test database, created and destroyed here.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rows = run(members=MEMBERS)
        for row in rows:
            print(f"{row['name']:<34} {row['seconds']:8.2f} s  {row['extra']}")
        ratio = rows[0]["extra"]["ratio_to_bare_insert"]
        print(f"ratio freeze / bare INSERT … SELECT: {ratio} (target: at most 3)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(members: int = 100000) -> list[dict[str, Any]]:
    from django.db import transaction

    from core import clock
    from core.models import User
    from core.rules import rules_in_force
    from elections.models import Election, ElectionState, RollEntry
    from elections.services.roll import roll_freeze
    from members.models import Membership, MembershipEvent
    from members.standing import refresh_standings

    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    record = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    classes = ["individual"] * 90 + ["mirror"] * 5 + ["silver"] * 3 + ["gold"] * 2
    t0 = time.perf_counter()
    # Setup data written in bulk (not the measured path): one person per membership.
    User.objects.bulk_create(
        (
            User(email=f"bench{i}@example.invalid", full_name=f"Bench {i}", password="!")  # noqa: S106 - an unusable password
            for i in range(members)
        ),
        batch_size=5000,
    )
    users = list(User.objects.filter(email__startswith="bench").order_by("pk").values_list("pk", flat=True))
    memberships = [
        Membership(
            number=f"M-{i:05d}-{i % 9973:04d}"[:12], user_id=uid, class_code=classes[i % 100], state="active"
        )
        for i, uid in enumerate(users)
    ]
    Membership.objects.bulk_create(memberships, batch_size=5000)
    ids = list(Membership.objects.order_by("pk").values_list("pk", "class_code"))
    MembershipEvent.objects.bulk_create(
        (
            MembershipEvent(
                membership_id=pk,
                at=start,
                kind="activated",
                state="active",
                class_code=code,
                member_since=start,
                expires_at=start + dt.timedelta(days=365),
            )
            for pk, code in ids
        ),
        batch_size=5000,
    )
    refresh_standings()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # planner statistics, as a live database has them
            cursor.execute("ANALYZE")
    setup = time.perf_counter() - t0

    def election(slug: str) -> Any:
        with clock.travel(record - dt.timedelta(days=60)):
            return Election.objects.create(
                slug=slug,
                title="Bench",
                rule_set=rules_in_force(),
                method="meek",
                state=ElectionState.NOMINATIONS_CLOSED,
                record_date=record,
                provisional_roll_at=record - dt.timedelta(days=14),
                nominations_open_at=record - dt.timedelta(days=40),
                nominations_close_at=record - dt.timedelta(days=5),
                voting_opens_at=record + dt.timedelta(days=1),
                voting_closes_at=record + dt.timedelta(days=15),
                original_voting_closes_at=record + dt.timedelta(days=15),
            )

    frozen_election, bare_election = election("bench"), election("bench-bare")
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with clock.travel(record), connection.execute_wrapper(count):
        t1 = time.perf_counter()
        frozen_election = roll_freeze(election=frozen_election)
        frozen = time.perf_counter() - t1
    # The floor: the same rows written by one bare INSERT … SELECT (copied from the frozen
    # roll, new ids), in the same run and, like the freeze, in a transaction of its own that
    # commits; the copy is deleted afterwards (not timed).
    table = RollEntry._meta.db_table
    new_id = "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    bare_sql = (
        f"INSERT INTO {table} (id, election_id, member_number, subject_type, class_code, weight, voter_id, "
        f"alternate_id, has_voted, salt, listed, struck, struck_reason) SELECT {new_id}, %s, member_number, "
        f"subject_type, class_code, weight, voter_id, alternate_id, has_voted, salt, listed, struck, "
        f"struck_reason FROM {table} WHERE election_id = %s"
    )
    t2 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(bare_sql, [bare_election.pk, frozen_election.pk])
    bare = time.perf_counter() - t2
    RollEntry.objects.filter(election=bare_election).delete()
    ratio = frozen / bare if bare else float("inf")
    return [
        {
            "name": "roll freeze",
            "seconds": frozen,
            "extra": {
                "database": connection.vendor,
                "members": members,
                "rows": frozen_election.roll_rows,
                "weight": frozen_election.roll_weight,
                "statements": len(executed),
                "setup_seconds": round(setup, 1),
                "fingerprint": frozen_election.roll_fingerprint,
                "bare_insert_seconds": round(bare, 3),
                "ratio_to_bare_insert": round(ratio, 2),  # target: at most 3
            },
        },
        {
            "name": "bare INSERT … SELECT (same rows)",
            "seconds": bare,
            "extra": {"rows": frozen_election.roll_rows},
        },
    ]


if __name__ == "__main__":
    main()
