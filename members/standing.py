"""Each membership's latest snapshot, materialised (``MembershipStanding``).

``refresh_standings`` points every given membership (all when ``membership_ids`` is None) at
its latest history event, ordered like the history reads (``at``, then id), in one
set-based statement that works on PostgreSQL and SQLite. Whoever writes a
``MembershipEvent`` calls it in the same transaction: the transition service, the approval of
a fresh application, bulk loaders and benches, and the migration that backfilled it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from members.models import Membership, MembershipEvent, MembershipStanding


def refresh_standings(membership_ids: Iterable[int] | None = None) -> None:
    """Point ``membership_ids`` (or every membership) at its latest event; one statement."""
    standing = MembershipStanding._meta.db_table
    event = MembershipEvent._meta.db_table
    membership = Membership._meta.db_table
    params: list[int] = []
    scope = ""
    if membership_ids is not None:
        ids = list(membership_ids)
        if not ids:
            return
        scope = f" AND m.id IN ({', '.join(['%s'] * len(ids))})"
        params = ids
    latest = (
        f"(SELECT e.id FROM {event} e WHERE e.membership_id = m.id ORDER BY e.at DESC, e.id DESC LIMIT 1)"  # noqa: S608  (table names from _meta)
    )
    # ``WHERE`` before ``ON CONFLICT`` also keeps SQLite's parser from reading the upsert as
    # a join constraint.
    sql = (
        f"INSERT INTO {standing} (membership_id, event_id) "  # noqa: S608  (names from _meta, values bound)
        f"SELECT m.id, {latest} FROM {membership} m WHERE {latest} IS NOT NULL{scope} "
        f"ON CONFLICT (membership_id) DO UPDATE SET event_id = excluded.event_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
