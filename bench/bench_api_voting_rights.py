"""Time the voting-rights API: one member with a long history, JSON and signed, and the
directory list; print requests per second and the SQL queries per request.

Run: ``make bench`` or ``DJANGO_SETTINGS_MODULE=config.settings.test python bench/bench_api_voting_rights.py``
(``BENCH_REQUESTS`` and ``BENCH_HISTORY`` change the sizes; ``DATABASE_URL`` picks the
database). It works in a throwaway test database, created and destroyed here.
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

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "500"))


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _measure(client: object, label: str, url: str, **extra: str) -> None:
    client.get(url, **extra)  # type: ignore[attr-defined]  # warm up (first use creates the dev signing key)
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, **extra)  # type: ignore[attr-defined]
    assert response.status_code == 200, response.content
    t0 = time.perf_counter()
    for _ in range(REQUESTS):
        client.get(url, **extra)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - t0
    print(
        f"{label:<40} {REQUESTS / elapsed:8.0f} req/s  {1000 * elapsed / REQUESTS:6.2f} ms/req  "
        f"{len(executed)} queries"
    )


def run() -> None:
    from django.core.cache import cache
    from django.test import override_settings
    from rest_framework.test import APIClient

    from core.models import User
    from members.models import Membership, MembershipEvent, MembershipState, Organisation

    now = dt.datetime.now(dt.UTC)
    user = User.objects.create_user("bench@example.invalid", full_name="Bench Member")  # unusable password
    membership = Membership.objects.create(
        user=user, class_code="individual", state=MembershipState.ACTIVE, in_directory=True
    )
    MembershipEvent.objects.bulk_create(
        MembershipEvent(
            membership=membership,
            at=now - dt.timedelta(days=HISTORY - i),
            kind="renewed",
            state=MembershipState.ACTIVE,
            class_code="individual",
            member_since=now - dt.timedelta(days=HISTORY),
            expires_at=now + dt.timedelta(days=365),
        )
        for i in range(HISTORY)
    )
    for i in range(200):
        org = Organisation.objects.create(legal_name=f"Org {i}", slug=f"org-{i}")
        Membership.objects.create(organisation=org, class_code="silver", state=MembershipState.ACTIVE)
    from members.standing import refresh_standings

    refresh_standings()  # events written in bulk: materialise each membership's snapshot
    cache.clear()
    client = APIClient()
    url = f"/api/v1/voting-rights/members/{membership.number}/"
    past = (now - dt.timedelta(days=HISTORY // 2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"== voting rights API ({HISTORY} history rows, {REQUESTS} requests each, {connection.vendor})")
    with override_settings(CHARTER_API_THROTTLE_RATES={"api_ip": "100000000/min"}):
        _measure(client, "member rights (JSON, anonymous)", url)
        _measure(client, "member rights (signed JWS)", url + "?format=jws")
        _measure(client, "member rights at a past moment (history)", url + f"?at={past}")
        _measure(client, "trivial view (audit/head)", "/api/v1/audit/head/")
        _measure(client, "directory organisations (50 per page)", "/api/v1/organisations/")


if __name__ == "__main__":
    main()
