"""Freeze a voter roll of 100,000 members and print how long it takes.

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
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    from core import clock
    from core.models import User
    from core.rules import rules_in_force
    from elections.models import Election, ElectionState
    from elections.services.roll import roll_freeze
    from members.models import Membership, MembershipEvent

    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    record = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    classes = ["individual"] * 90 + ["mirror"] * 5 + ["silver"] * 3 + ["gold"] * 2
    t0 = time.perf_counter()
    # Setup data written in bulk (not the measured path): one person per membership.
    User.objects.bulk_create(
        (
            User(email=f"bench{i}@example.invalid", full_name=f"Bench {i}", password="!")  # noqa: S106 - an unusable password
            for i in range(MEMBERS)
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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # planner statistics, as a live database has them
            cursor.execute("ANALYZE")
    setup = time.perf_counter() - t0
    with clock.travel(record - dt.timedelta(days=60)):
        election = Election.objects.create(
            slug="bench",
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
    with clock.travel(record):
        t1 = time.perf_counter()
        election = roll_freeze(election=election)
        frozen = time.perf_counter() - t1
    print(f"database: {connection.vendor}")
    print(f"members: {MEMBERS:,} (setup {setup:.1f} s)")
    print(f"roll frozen: {election.roll_rows:,} rows, weight {election.roll_weight:,} in {frozen:.2f} s")
    print(f"fingerprint: {election.roll_fingerprint}")


if __name__ == "__main__":
    main()
