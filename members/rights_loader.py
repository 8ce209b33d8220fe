"""The voting-rights hot path: one membership (by number for the API; by itself, its person or
its organisation for ``voting_rights(subject=...)``), with everything ``voting_rights(at=...)``
reads, in one precompiled statement.

``members.rights.rights_memberships(at)`` builds the same rows with the ORM (membership, its
user and organisation, the materialised standing and its event, and the id of the rule set
in force at ``at``). Sponsors' tools poll this endpoint, and compiling that five-table
``select_related`` with its subquery cost Django about twice what the database spent
answering it. Here the SQL is written once per database connection alias, from the models'
own metadata (so a new column is read without touching this file), and the rows become model
instances through ``Model.from_db`` with the database's own converters, as the ORM would.
A test compares every field of every instance with the ORM's, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Model

from core.models import User
from core.rules import in_force_id
from members.models import Membership, MembershipEvent, MembershipStanding, Organisation


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, Any, tuple[Any, ...]], ...]  # (field index, column, converters)
    start: int
    pk_index: int  # where the primary key is: NULL there means the outer join found no row

    @property
    def end(self) -> int:
        return self.start + len(self.attnames)


@dataclass(frozen=True)
class _Statement:
    sql: dict[str, str]  # by lookup: "individual", "organisation" (numbers), "pk", "user", "organisation_id"
    parts: tuple[_Part, ...]  # membership, user, organisation, standing, event
    rule_set_column: int


#: The id of the rule set in force at the moment asked for, on memberships loaded for rights.
RULE_SET_AT = "rights_rule_set_id"

_STATEMENTS: dict[str, _Statement] = {}
_ANY_MOMENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # compiles the rule-set subquery; never bound


def _statement(alias: str) -> _Statement:
    statement = _STATEMENTS.get(alias)
    if statement is None:
        statement = _STATEMENTS[alias] = _build(alias)
    return statement


def _build(alias: str) -> _Statement:
    connection = connections[alias]
    qn = connection.ops.quote_name
    tables = (
        (Membership, "m"),
        (User, "u"),
        (Organisation, "o"),
        (MembershipStanding, "s"),
        (MembershipEvent, "e"),
    )
    columns: list[tuple[str, str]] = []  # (table alias, quoted column)
    parts: list[_Part] = []
    for model, table_alias in tables:
        fields = model._meta.concrete_fields
        converters = []
        for i, field in enumerate(fields):
            column = field.get_col(table_alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:  # most columns need none: only these are visited per row
                converters.append((i, column, tuple(found)))
            columns.append((table_alias, qn(field.column)))
        parts.append(
            _Part(
                model,
                tuple(f.attname for f in fields),
                tuple(converters),
                start=len(columns) - len(fields),
                pk_index=list(fields).index(model._meta.pk),
            )
        )
    # The rule set in force: ``core.rules.in_force_id``'s own query, compiled once; its one
    # parameter (the moment) is bound per call.
    in_force_sql, in_force_params = in_force_id(_ANY_MOMENT).query.get_compiler(alias).as_sql()
    if len(in_force_params) != 1:  # pragma: no cover - a change to in_force_id must come here
        raise RuntimeError("in_force_id must take the moment as its only parameter")
    in_force = f"({in_force_sql})"
    # Names come from the models' metadata, quoted; the values are bound parameters.
    m, standing, event = Membership._meta, MembershipStanding._meta, MembershipEvent._meta
    col = lambda meta, name: qn(meta.get_field(name).column)  # noqa: E731
    joins = {
        "u": f" LEFT OUTER JOIN {qn(User._meta.db_table)} u ON m.{col(m, 'user')} = u.{qn(User._meta.pk.column)}",
        "o": f" LEFT OUTER JOIN {qn(Organisation._meta.db_table)} o"
        f" ON m.{col(m, 'organisation')} = o.{qn(Organisation._meta.pk.column)}",
        "s": f" LEFT OUTER JOIN {qn(standing.db_table)} s ON s.{col(standing, 'membership')} = m.{qn(m.pk.column)}",
        "e": f" LEFT OUTER JOIN {qn(event.db_table)} e ON e.{qn(event.pk.column)} = s.{col(standing, 'event')}",
    }

    def query(where: str, *, without: str = "") -> str:
        # A membership is a person's or an organisation's, never both (a check constraint): a
        # lookup that knows which leaves the other table out, and reads NULLs in its place.
        names = ", ".join("NULL" if alias == without else f"{alias}.{name}" for alias, name in columns)
        return (
            f"SELECT {names}, {in_force} FROM {qn(m.db_table)} m"  # noqa: S608
            + "".join(join for alias, join in joins.items() if alias != without)
            + f" WHERE {where}"
        )

    number, org = col(m, "number"), col(m, "organisation")
    sql = {
        "individual": query(f"m.{number} = %s AND m.{org} IS NULL", without="o"),
        "organisation": query(f"m.{number} = %s AND m.{org} IS NOT NULL", without="u"),
        "pk": query(f"m.{qn(m.pk.column)} = %s"),
        # One membership per person and per organisation (unique constraints).
        "user": query(f"m.{col(m, 'user')} = %s", without="o"),
        "organisation_id": query(f"m.{org} = %s", without="u"),
    }
    return _Statement(
        sql=sql,
        parts=tuple(parts),
        rule_set_column=len(columns),
    )


def _cursor(connection: Any) -> Any:
    """On PostgreSQL, a cursor that prepares the statement once per connection
    (``core.db.postgresql``): planning the five-table join cost the server four times what
    running it did, on every request. Prepared statements live in the connection's session,
    so a pooler in transaction mode (PgBouncer) cannot carry them: set
    ``DB_PREPARED_STATEMENTS=false`` behind one."""
    if settings.DB_PREPARED_STATEMENTS and hasattr(connection, "preparing_cursor"):
        return connection.preparing_cursor()
    return connection.cursor()


def _instance(part: _Part, row: tuple[Any, ...], db: str, connection: Any) -> Model | None:
    values = list(row[part.start : part.end])
    if values[part.pk_index] is None:  # the outer join found no row
        return None
    for i, column, converters in part.converters:
        for convert in converters:
            values[i] = convert(values[i], column, connection)
    return part.model.from_db(db, list(part.attnames), values)


def membership_for_rights(*, number: str, organisation: bool, at: dt.datetime) -> Membership | None:
    """The membership ``number`` (an organisation's or an individual's), loaded as
    ``members.rights.rights_memberships(at)`` loads it, or ``None``."""
    return _load("organisation" if organisation else "individual", number, at)


def membership_of_for_rights(*, subject: Any, at: dt.datetime) -> Membership | None:
    """The membership of ``subject`` (a membership, an organisation or a person), loaded the
    same way, or ``None``."""
    if isinstance(subject, Membership):
        return _load("pk", subject.pk, at)
    if isinstance(subject, Organisation):
        return _load("organisation_id", subject.pk, at)
    if subject is None or subject.pk is None:  # an anonymous visitor is no member
        return None
    return _load("user", subject.pk, at)


def _load(lookup: str, value: Any, at: dt.datetime) -> Membership | None:
    db = router.db_for_read(Membership)
    connection = connections[db]
    statement = _statement(db)
    with _cursor(connection) as cursor:
        cursor.execute(statement.sql[lookup], [connection.ops.adapt_datetimefield_value(at), value])
        row = cursor.fetchone()
    if row is None:
        return None
    membership_part, user_part, org_part, standing_part, event_part = statement.parts
    membership = _instance(membership_part, row, db, connection)
    user = _instance(user_part, row, db, connection)
    org = _instance(org_part, row, db, connection)
    standing = _instance(standing_part, row, db, connection)
    assert isinstance(membership, Membership)
    # The relations as ``select_related`` caches them: reading them costs no query.
    Membership.user.field.set_cached_value(membership, user)
    Membership.organisation.field.set_cached_value(membership, org)
    Membership.standing.related.set_cached_value(membership, standing)
    if standing is not None:
        MembershipStanding.membership.field.set_cached_value(standing, membership)
        MembershipStanding.event.field.set_cached_value(standing, _instance(event_part, row, db, connection))
    setattr(membership, RULE_SET_AT, row[statement.rule_set_column])
    return membership
