"""Helpers shared by the election services."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import NotFound
from elections.models import Election


def lock_election(election: Election | int) -> Election:
    """Take the election row lock (always the first lock an election service takes)."""
    pk = election.pk if isinstance(election, Election) else election
    try:
        return Election.objects.select_for_update().select_related("rule_set").get(pk=pk)
    except Election.DoesNotExist:
        raise NotFound(_("No such election."), code="election_not_found") from None


def lock_election_shared(election: Election | int) -> Election:
    """Take the election row lock in SHARE mode: what a cast takes, so casts run side by side.

    On PostgreSQL a raw ``SELECT … FOR SHARE`` (Django has no API for it): any number of
    casts hold it together, while the services that change the election's state (close,
    cancel, extend, withdrawals: ``lock_election``, FOR UPDATE) wait for every cast in
    flight to commit and hold new ones back until they commit themselves; a cast that waited
    then reads the row as that commit left it (READ COMMITTED re-reads a locked row), so it
    sees the close and is refused. The row is read in the same statement: one query.
    Elsewhere (SQLite serialises writers anyway) it is ``lock_election``.
    """
    pk = election.pk if isinstance(election, Election) else election
    if connection.vendor != "postgresql":
        return lock_election(pk)
    table = connection.ops.quote_name(Election._meta.db_table)
    rows = list(Election.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [pk]))  # noqa: S608  (table name from _meta, value bound)
    if not rows:
        raise NotFound(_("No such election."), code="election_not_found")
    return rows[0]


def day(value: dt.datetime | None) -> str:
    return date_format(value, "Y-m-d H:i e") if value else "?"
