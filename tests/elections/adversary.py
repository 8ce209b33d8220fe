"""An insider who reads everything Charter stores, trying to tie voters to their ballots.

The threat model of issue 12, played as a script: someone with full read access to the
database (every table of the election, SQLite's row ids, PostgreSQL's ``xmin`` and
``ctid`` and, with ``pageinspect``, the raw row versions a vacuum has not yet removed), the
mail table, the job outbox with its payloads, and the captured logs. They cannot read the
environment (so not ``BALLOT_KEK``). They may have voted themselves: ``controls`` are the
ballots they cast (member number, choices, tracker), which lets them check a guess at how
rows pair up before trusting it, as a real insider would.

``Insider(election, controls=...).attack()`` tries every link the issue lists and returns a
``Report``: who it knows voted, and which voters it ties to which ballot (by choices), per
technique. ``Report.fraction(truth)`` is the share of voters (controls aside) it ties to
their real ballot. ``baseline`` is what weighted voting cannot hide: ballots whose weight only
one member of the frozen roll has, tied from the published roll and ballots alone.

Techniques (each a method, so the report says which one found what):

- ``voted marks``: ``has_voted`` on the roll (live rows, and raw row versions on PostgreSQL);
- ``receipts``: waiting receipts and receipt emails (recipient, tracker in the body, time);
- ``reminders``: who was not reminded at an offset had voted by then;
- ``logs``: member numbers, addresses or tracker codes in the captured log text;
- ``weights``: a ballot weight shared by as many known voters as ballots (or one roll member);
- ``xmin``: on PostgreSQL, a ballot and a roll row (or a tracker) written by one transaction;
- ``order``: ballots and trackers (or voters ordered by their receipts' times) paired by
  physical position (row id, ``ctid``), trusted only if it pairs every control correctly;
- ``tracker``: voter → tracker (receipts) composed with tracker → ballot (xmin or order).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from core.models import OutboxMessage, OutgoingEmail, User
from elections.models import Ballot, PendingReceipt, RollEntry, SealedBallot, Tracker, VotingReminder

Choices = tuple[int, ...]
TRACKER_RE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


@dataclass(frozen=True)
class Control:
    member_number: str
    choices: Choices
    tracker: str


@dataclass
class Report:
    phase: str
    who_voted: dict[str, set[str]] = field(default_factory=dict)  # technique → member numbers
    links: dict[str, dict[str, Choices]] = field(default_factory=dict)  # technique → member → choices
    baseline: dict[str, Choices] = field(default_factory=dict)
    sealed_lengths: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def voted(self) -> set[str]:
        return set().union(*self.who_voted.values()) if self.who_voted else set()

    def tied(self, truth: Mapping[str, Choices], *, exclude: Iterable[str] = ()) -> dict[str, set[str]]:
        """Member → the techniques that tied them to their real ballot."""
        skip = set(exclude)
        found: dict[str, set[str]] = defaultdict(set)
        for technique, claims in self.links.items():
            for member, choices in claims.items():
                if member not in skip and truth.get(member) == choices:
                    found[member].add(technique)
        return dict(found)

    def fraction(self, truth: Mapping[str, Choices], *, exclude: Iterable[str] = ()) -> float:
        skip = set(exclude)
        voters = [m for m in truth if m not in skip]
        return len(self.tied(truth, exclude=skip)) / len(voters) if voters else 0.0

    def beyond_baseline(
        self, truth: Mapping[str, Choices], *, exclude: Iterable[str] = ()
    ) -> dict[str, set[str]]:
        """Voters tied by anything more than what weighted voting cannot hide."""
        return {
            m: t for m, t in self.tied(truth, exclude=exclude).items() if self.baseline.get(m) != truth[m]
        }

    def summary(self, truth: Mapping[str, Choices], *, exclude: Iterable[str] = ()) -> str:
        tied = self.tied(truth, exclude=exclude)
        techniques = Counter(t for ts in tied.values() for t in ts)
        return (
            f"[{self.phase}] tied {len(tied)} of {len([m for m in truth if m not in set(exclude)])} voters "
            f"({self.fraction(truth, exclude=exclude):.0%}); by technique {dict(techniques)}; "
            f"beyond the weights baseline {sorted(self.beyond_baseline(truth, exclude=exclude))}; "
            f"knows who voted: {len(self.voted)} ({ {k: len(v) for k, v in self.who_voted.items() if v} })"
        )


# --- Reading ------------------------------------------------------------------------------


def _position_sql() -> str:
    return "rowid" if connection.vendor == "sqlite" else "ctid"


def physical_rows(model: Any, columns: list[str], election_id: int) -> list[dict[str, Any]]:
    """The election's rows of ``model`` in physical order, with ``pos`` (row id or ctid) and,
    on PostgreSQL, ``xmin`` (the writing transaction)."""
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        sql = f"SELECT ctid::text, xmin::text, {quoted} FROM {table} WHERE election_id = %s ORDER BY ctid"  # noqa: S608
    else:
        sql = f"SELECT rowid, NULL, {quoted} FROM {table} WHERE election_id = %s ORDER BY rowid"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [election_id])
        rows = cursor.fetchall()
    return [{"pos": r[0], "xmin": r[1], **dict(zip(columns, r[2:], strict=True))} for r in rows]


def _choices(value: Any) -> Choices:
    import json

    return tuple(value if isinstance(value, list) else json.loads(str(value)))


# --- Raw row versions (PostgreSQL, pageinspect) -----------------------------------------------


def enable_pageinspect() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")


def _varlena(raw: bytes) -> bytes:
    if raw[0] & 1:  # one-byte header (little-endian): length including the header
        return raw[1 : raw[0] >> 1]
    return raw[4 : int.from_bytes(raw[:4], "little") >> 2]


def _decode(typname: str, raw: bytes | None) -> Any:
    if raw is None:
        return None
    if typname == "bool":
        return raw[0] != 0
    if typname in ("int2", "int4", "int8"):
        return int.from_bytes(raw, "little", signed=True)
    if typname == "uuid":
        return uuid.UUID(bytes=raw)
    if typname in ("varchar", "text"):
        return _varlena(raw).decode("utf-8")
    return _varlena(raw)  # jsonb, bytea: the stored bytes (compared, not parsed)


def raw_tuples(model: Any) -> list[dict[str, Any]]:
    """Every row version in the table's pages, live or dead (what a vacuum has not removed)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 ORDER BY a.attnum",
            [table],
        )
        attributes = cursor.fetchall()
        cursor.execute(
            "SELECT h.t_xmin::text, h.t_xmax::text, "
            "tuple_data_split(%s::regclass, h.t_data, h.t_infomask, h.t_infomask2, h.t_bits) "
            "FROM generate_series(0, (pg_relation_size(%s::regclass) / current_setting('block_size')::int) - 1) AS blk, "
            "LATERAL heap_page_items(get_raw_page(%s, blk::int)) AS h "
            "WHERE h.lp_flags = 1 AND h.t_data IS NOT NULL",
            [table, table, table],
        )
        rows = cursor.fetchall()
    out = []
    for xmin, xmax, values in rows:
        decoded = {
            name: _decode(typname, bytes(raw) if raw is not None else None)
            for (name, typname), raw in zip(attributes, values, strict=False)
        }
        out.append({"xmin": xmin, "xmax": xmax, "dead": xmax != "0", **decoded})
    return out


# --- The insider ----------------------------------------------------------------------------


class Insider:
    def __init__(
        self,
        election: Any,
        *,
        controls: Iterable[Control] = (),
        logs: str = "",
        pageinspect: bool = False,
    ) -> None:
        self.election = election
        self.controls = list(controls)
        self.logs = logs
        self.pageinspect = pageinspect and connection.vendor == "postgresql"

    # What they read ------------------------------------------------------------------

    def read(self) -> None:
        pk = self.election.pk
        self.roll = physical_rows(
            RollEntry, ["member_number", "weight", "voter_id", "alternate_id", "has_voted"], pk
        )
        self.ballots = [
            {**b, "choices": _choices(b["choices"])} for b in physical_rows(Ballot, ["choices", "weight"], pk)
        ]
        self.sealed = physical_rows(SealedBallot, ["sealed"], pk)
        self.trackers = physical_rows(Tracker, ["code"], pk)
        self.pending = physical_rows(PendingReceipt, ["user_id", "tracker_code"], pk)
        self.emails = list(
            OutgoingEmail.objects.values(
                "id", "to", "subject", "body", "purpose", "subject_ref", "created_at"
            )
        )
        self.outbox = list(OutboxMessage.objects.values("task_name", "kwargs", "created_at"))
        self.reminders = list(
            VotingReminder.objects.filter(election_id=pk).values("member_number", "offset_days", "sent_at")
        )
        self.emails_of = dict(User.objects.values_list("email", "pk"))
        self.rows_of_user: dict[int, list[str]] = defaultdict(list)
        for row in self.roll:
            for user in {row["voter_id"], row["alternate_id"]} - {None}:
                self.rows_of_user[user].append(row["member_number"])
        self.weight_of = {row["member_number"]: row["weight"] for row in self.roll}
        self.raw: dict[str, list[dict[str, Any]]] = {}
        if self.pageinspect:
            for name, model in (
                ("roll", RollEntry),
                ("ballot", Ballot),
                ("tracker", Tracker),
                ("pending", PendingReceipt),
            ):
                self.raw[name] = [t for t in raw_tuples(model) if t.get("election_id") in (pk, None)]

    def _member_of_user(self, user_id: int | None) -> str | None:
        rows = self.rows_of_user.get(user_id or -1, [])
        return rows[0] if len(rows) == 1 else None

    def _member_of_email(self, address: str) -> str | None:
        return self._member_of_user(self.emails_of.get(address))

    # Who voted -----------------------------------------------------------------------

    def who_voted(self, report: Report) -> None:
        report.who_voted["voted marks"] = {r["member_number"] for r in self.roll if r["has_voted"]}
        if self.raw:
            report.who_voted["dead row versions"] = {
                t["member_number"] for t in self.raw["roll"] if t.get("has_voted") and t["dead"]
            } | {m for t in self.raw["pending"] if (m := self._member_of_user(t.get("user_id")))}
        receipts = {m for p in self.pending if (m := self._member_of_user(p["user_id"]))}
        receipts |= {
            m
            for e in self.emails
            if (e["purpose"] == "elections.receipt" or TRACKER_RE.search(e["body"] or ""))
            and (m := self._member_of_email(e["to"]))
        }
        report.who_voted["receipts"] = receipts
        reminded: dict[int, set[str]] = defaultdict(set)
        for r in self.reminders:
            reminded[r["offset_days"]].add(r["member_number"])
        on_roll = {r["member_number"] for r in self.roll}
        report.who_voted["reminders"] = (
            set().union(*(on_roll - members for members in reminded.values())) if reminded else set()
        )
        in_logs = set()
        for row in self.roll:
            number = row["member_number"]
            if number in self.logs:
                in_logs.add(number)
        for address, user in self.emails_of.items():
            if address and address in self.logs and (m := self._member_of_user(user)):
                in_logs.add(m)
        report.who_voted["logs"] = in_logs

    # Voter → tracker -------------------------------------------------------------------

    def voter_trackers(self) -> dict[str, str]:
        known: dict[str, str] = {}
        for p in self.pending:
            if m := self._member_of_user(p["user_id"]):
                known[m] = p["tracker_code"]
        for t in self.raw.get("pending", []):
            if (m := self._member_of_user(t.get("user_id"))) and t.get("tracker_code"):
                known[m] = t["tracker_code"]
        for e in self.emails:
            codes = TRACKER_RE.findall((e["body"] or "") + " " + (e["subject"] or ""))
            if codes and (m := self._member_of_email(e["to"])):
                known[m] = codes[0]
        for line in self.logs.splitlines():
            codes = TRACKER_RE.findall(line)
            for address, user in self.emails_of.items():
                if codes and address and address in line and (m := self._member_of_user(user)):
                    known[m] = codes[0]
        for c in self.controls:
            known[c.member_number] = c.tracker
        return known

    # Pairings ----------------------------------------------------------------------------

    def _calibrated(self, pairing: Mapping[str, Choices], key_of_control: Mapping[str, str]) -> bool:
        """Trust a pairing only if it sends every control to the control's own ballot."""
        if not self.controls:
            return bool(pairing)
        return all(pairing.get(key_of_control[c.member_number]) == c.choices for c in self.controls)

    def tracker_ballots(self) -> dict[str, dict[str, Choices]]:
        """Tracker code → ballot, by xmin (PostgreSQL) or by physical position."""
        out: dict[str, dict[str, Choices]] = {}
        controls = {c.member_number: c.tracker for c in self.controls}
        if connection.vendor == "postgresql":
            ballots = [*self.ballots, *self.raw.get("ballot", [])]
            trackers = [*self.trackers, *self.raw.get("tracker", [])]
            by_xmin: dict[str, list[Choices]] = defaultdict(list)
            for b in ballots:
                if (choices := self._ballot_choices(b)) is not None:
                    by_xmin[b["xmin"]].append(choices)
            tracker_xmins = Counter(t["xmin"] for t in trackers)
            pairing = {
                t["code"]: by_xmin[t["xmin"]][0]
                for t in trackers
                if t.get("code") and len(by_xmin.get(t["xmin"], [])) == 1 and tracker_xmins[t["xmin"]] == 1
            }
            if self._calibrated(pairing, controls):
                out["xmin"] = pairing
        if self.ballots and len(self.ballots) == len(self.trackers):
            pairing = {t["code"]: b["choices"] for t, b in zip(self.trackers, self.ballots, strict=True)}
            if self._calibrated(pairing, controls):
                out["order"] = pairing
        return out

    def _ballot_choices(self, ballot: Mapping[str, Any]) -> Choices | None:
        value = ballot.get("choices")
        if isinstance(value, tuple):
            return value
        if isinstance(value, bytes | bytearray):  # a raw jsonb value: match it with a live row's bytes
            return self._jsonb.get(bytes(value))
        return None

    @property
    def _jsonb(self) -> dict[bytes, Choices]:
        if not hasattr(self, "_jsonb_cache"):
            live = {b["id"]: b["choices"] for b in physical_rows(Ballot, ["id", "choices"], self.election.pk)}
            cache: dict[bytes, Choices] = {}
            for t in self.raw.get("ballot", []):
                if t["id"] in live and isinstance(t.get("choices"), bytes | bytearray):
                    cache[bytes(t["choices"])] = _choices(live[t["id"]])
            self._jsonb_cache = cache
        return self._jsonb_cache

    def voter_ballots_by_xmin(self) -> dict[str, Choices]:
        if connection.vendor != "postgresql":
            return {}
        roll = [r for r in [*self.roll, *self.raw.get("roll", [])] if r.get("has_voted")]
        ballots: dict[str, list[Choices]] = defaultdict(list)
        for b in [*self.ballots, *self.raw.get("ballot", [])]:
            if (choices := self._ballot_choices(b)) is not None:
                ballots[b["xmin"]].append(choices)
        roll_xmins = Counter(r["xmin"] for r in roll)
        return {
            r["member_number"]: ballots[r["xmin"]][0]
            for r in roll
            if len(ballots.get(r["xmin"], [])) == 1 and roll_xmins[r["xmin"]] == 1
        }

    def voter_ballots_by_time(self) -> dict[str, Choices]:
        """Voters ordered by their own receipts' times, paired with ballots in physical order."""
        times: dict[str, Any] = {}
        for e in self.emails:
            if e["purpose"] == "elections.receipt" and (m := self._member_of_email(e["to"])):
                times.setdefault(m, e["created_at"])
        if len(set(times.values())) != len(times) or len(times) != len(self.ballots) or not self.ballots:
            return {}
        order = sorted(times, key=times.__getitem__)
        pairing = {m: b["choices"] for m, b in zip(order, self.ballots, strict=True)}
        return (
            pairing
            if self._calibrated(pairing, {c.member_number: c.member_number for c in self.controls})
            else {}
        )

    def by_weights(self, voted: set[str], *, roll: list[dict[str, Any]] | None = None) -> dict[str, Choices]:
        roll = roll if roll is not None else self.roll
        ballots_of: dict[int, list[Choices]] = defaultdict(list)
        for b in self.ballots:
            ballots_of[b["weight"]].append(b["choices"])
        members_of: dict[int, list[str]] = defaultdict(list)
        for r in roll:
            members_of[r["weight"]].append(r["member_number"])
        links: dict[str, Choices] = {}
        for weight, ballots in ballots_of.items():
            known = [m for m in members_of[weight] if m in voted]
            candidates = known if len(known) == len(ballots) else members_of[weight]
            if len(candidates) == len(ballots) and len(set(ballots)) == 1:
                links.update(dict.fromkeys(candidates, ballots[0]))
            elif len(candidates) == 1 == len(ballots):
                links[candidates[0]] = ballots[0]
        return links

    # The attack ----------------------------------------------------------------------------

    def attack(self, phase: str) -> Report:
        self.read()
        report = Report(phase=phase)
        report.sealed_lengths = {len(bytes(s["sealed"])) for s in self.sealed}
        self.who_voted(report)
        voted = report.voted
        report.baseline = self.by_weights(set())
        report.links["weights"] = self.by_weights(voted)
        report.links["xmin"] = self.voter_ballots_by_xmin()
        report.links["time order"] = self.voter_ballots_by_time()
        trackers = self.voter_trackers()
        for technique, pairing in self.tracker_ballots().items():
            report.links[f"tracker + {technique}"] = {
                member: pairing[code] for member, code in trackers.items() if code in pairing
            }
        receipt_emails = {str(e["id"]) for e in self.emails if e["purpose"] == "elections.receipt"}
        receipt_jobs = [
            m
            for m in self.outbox
            if (
                m["task_name"] == "elections.send_receipts"
                and m["kwargs"].get("election_id") == self.election.pk
            )
            or (m["task_name"] == "core.send_email" and str(m["kwargs"].get("email_id")) in receipt_emails)
        ]
        if len(receipt_jobs) >= max(len(voted), 2):
            report.notes.append("the outbox holds one receipts job per cast")
        return report


# --- A weakened build, for the control runs --------------------------------------------------


def weaken(
    monkeypatch: Any,
    *,
    seal: bool = True,
    receipts: bool = True,
    shuffle: bool = True,
    marks: bool = True,
    vacuum: bool = True,
) -> None:
    """Switch defences off (each flag: that defence goes), as the code was before issue 12."""
    from core.mail import email_queue
    from elections.models import BallotKey
    from elections.services import ballots as services

    if seal:
        monkeypatch.setattr(
            services,
            "_store_ballot",
            lambda election, key, choices, weight: Ballot.objects.create(
                election=election, choices=choices, weight=weight
            ),
        )
    if receipts:

        def per_cast(election: Any, voter: Any, tracker_code: str) -> None:
            email_queue(
                to=voter.email,
                template=services.RECEIPT_TEMPLATE,
                context={"election": election, "tracker": tracker_code, "url": "/"},
                purpose=services.RECEIPT_PURPOSE,
                subject_ref=election.slug,
            )

        monkeypatch.setattr(services, "_receipt_pending", per_cast)
    if shuffle:
        monkeypatch.setattr(services, "_shuffle", lambda rows: None)
    if marks:
        monkeypatch.setattr(services, "_mark_after_close", lambda has_voted: has_voted)
        monkeypatch.setattr(services, "_forget_receipts", lambda election: None)
        monkeypatch.setattr(
            services,
            "_forget_who_voted",
            lambda election: BallotKey.objects.filter(election=election).delete(),
        )
    if vacuum:
        monkeypatch.setattr(services, "_vacuum", lambda tables: False)
