"""The voter roll: the provisional roll, committee corrections, and the frozen roll.

The provisional roll reads ``voting_rights_bulk(at=record_date)`` (a constant number of
queries) and applies the committee's corrections. Freezing writes the same lines in one
``INSERT … SELECT`` (see "The freeze, set-based" below): the rules of ``decide`` at the record
date, the corrections, each organisation's representative and alternate at the record date
from ``RepresentativeChange`` history, with no per-member Python loop.

Published lines and the fingerprint (version 2): one line per roll row, ``<token>
<weight>\\n``, sorted, where the token is the member number of a member visible in the
public directory when the roll was frozen (organisations always are), and
``sha256(member number + salt)`` (hex) for anyone else, with a salt of the member's own
that only they (on their roll page) and the election committee see. The fingerprint is the
SHA-256 (hex) of that UTF-8 text, so anyone holding ``roll.txt`` can recompute it, and each
member can find their own line, while a hidden member's number never appears.

Rolls frozen before (version 1) were fingerprinted over ``<member number> <weight>`` lines;
that recorded fingerprint never changes: the committee can download the version 1 text,
everyone else gets the published lines (hidden members hashed as the directory decides now).

The lines are deleted ``roll_retention_days`` (rule set) after certification
(``roll_purge_expired``, a daily job); fingerprint and totals stay on the election.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import is_authenticated, require
from core.audit import audit_record
from core.errors import Conflict, NotFound, ValidationFailed
from core.mail import email_queue
from core.rules import rules_in_force
from elections import permissions
from elections.models import Election, ElectionState, RollCorrection, RollEntry
from elections.rules import election_rules_for
from elections.services.common import lock_election
from elections.services.strikes import STRUCK_SUSPENDED
from members.models import Membership, MembershipClass, RepresentativeChange
from members.permissions import LISTED_STATES
from members.rights import VotingRights, voting_rights, voting_rights_bulk

BATCH = 5000
# Reasons that mean "not a current member at all": no notice is sent for these.
_SILENT_REASONS = frozenset({"ended", "not_a_member", "class_without_vote"})


@dataclass(frozen=True)
class RollLine:
    member_number: str
    subject_type: str
    class_code: str
    weight: int
    eligible: bool
    reasons: tuple[str, ...]
    corrected: bool = False


def canonical_roll_text(rows: Iterable[tuple[str, int]]) -> str:
    """The documented canonical text: ``<number> <weight>`` per line, sorted, newline-terminated."""
    return "".join(f"{number} {weight}\n" for number, weight in sorted(rows))


def roll_fingerprint(rows: Iterable[tuple[str, int]]) -> str:
    return hashlib.sha256(canonical_roll_text(rows).encode("utf-8")).hexdigest()


FINGERPRINT_VERSION = 2


def hidden_line_token(number: str, salt: str) -> str:
    """The published token of a member hidden from the directory: ``sha256(number + salt)``."""
    return hashlib.sha256(f"{number}{salt}".encode()).hexdigest()


def published_token(number: str, salt: str, listed: bool) -> str:
    return number if listed else hidden_line_token(number, salt)


def listed_numbers(numbers: Iterable[str]) -> set[str]:
    """Which of these members the public directory shows (organisations always: sponsors'
    standing is public); the rule of ``members.permissions.is_listed_in_directory``."""
    listed: set[str] = set()
    rows = Membership.objects.filter(number__in=set(numbers)).values_list(
        "number", "organisation_id", "in_directory", "state", "user__full_name"
    )
    for number, org_id, in_directory, state, full_name in rows.iterator(chunk_size=BATCH):
        if org_id is not None or (in_directory and state in LISTED_STATES and full_name):
            listed.add(number)
    return listed


def published_roll_lines(*, election: Election) -> list[tuple[str, int]]:
    """The roll as published: ``(token, weight)`` per row (see the module's docstring)."""
    rows = list(election.roll.values_list("member_number", "weight", "salt", "listed"))
    undecided = {number for number, _w, _s, listed in rows if listed is None}
    now_listed = listed_numbers(undecided) if undecided else set()
    return [
        (published_token(number, salt, listed if listed is not None else number in now_listed), weight)
        for number, weight, salt, listed in rows
    ]


def roll_text_for(*, election: Election, full: bool = False) -> str:
    """``roll.txt``: the published lines; ``full`` (the committee) the version 1 text of an old roll."""
    if full and election.roll_fingerprint_version == 1:
        return canonical_roll_text(election.roll.values_list("member_number", "weight"))
    return canonical_roll_text(published_roll_lines(election=election))


def _roll_line(rights: Any, correction: RollCorrection | None, weights: dict[str, int]) -> RollLine:
    """One roll line: the voting-rights answer, or the committee's audited correction of it."""
    if correction is None:
        return RollLine(
            rights.subject,
            rights.subject_type,
            rights.class_code,
            rights.weight,
            rights.eligible,
            tuple(reason.message for reason in rights.reasons),
        )
    include = correction.action == RollCorrection.Action.INCLUDE
    weight = (correction.weight or weights.get(rights.class_code, 0)) if include else 0
    return RollLine(
        rights.subject,
        rights.subject_type,
        rights.class_code,
        weight,
        include and weight > 0,
        () if include else (correction.reason,),
        True,
    )


def _class_weights(election: Election) -> dict[str, int]:
    classes = MembershipClass.objects.filter(rule_set__pk=_rule_set_pk(election))
    return {c.code: c.vote_weight for c in classes}


def roll_lines(*, election: Election) -> list[RollLine]:
    """The roll as it stands (provisional before the record date), corrections applied."""
    corrections = {
        c.membership.number: c
        for c in RollCorrection.objects.filter(election=election).select_related("membership")
    }
    weights = _class_weights(election)
    return [
        _roll_line(r, corrections.get(r.subject), weights)
        for r in voting_rights_bulk(at=election.record_date)
    ]


def roll_lines_for(*, election: Election, memberships: Iterable[Membership]) -> list[RollLine]:
    """The provisional lines of a few memberships (one member's page), without reading everyone."""
    corrections = {c.membership_id: c for c in RollCorrection.objects.filter(election=election)}
    weights = _class_weights(election)
    return [
        _roll_line(voting_rights(subject=m, at=election.record_date), corrections.get(m.pk), weights)
        for m in memberships
    ]


def _rule_set_pk(election: Election) -> int:
    return rules_in_force(at=election.record_date).pk


def roll_correct(
    *,
    election: Election,
    membership: Membership,
    action: str,
    reason: str,
    weight: int | None = None,
    actor: Any,
) -> RollCorrection:
    """The committee corrects a line of the roll before it is frozen (audited, with a reason)."""
    require(
        permissions.can_run_election(actor, election),
        _("Only the election committee corrects the roll."),
        code="not_committee",
    )
    if action not in RollCorrection.Action.values:
        raise ValidationFailed(_("Unknown correction."), code="invalid_correction")
    if not (reason or "").strip():
        raise ValidationFailed(_("A correction needs a reason."), code="reason_required")
    with transaction.atomic():
        locked = lock_election(election)
        if locked.roll_frozen_at is not None or locked.is_finished:
            raise Conflict(_("The roll is frozen: it can no longer be corrected."), code="roll_frozen")
        correction, _created = RollCorrection.objects.update_or_create(
            election=locked,
            membership=membership,
            defaults={"action": action, "reason": reason.strip(), "weight": weight, "created_by": actor},
        )
        audit_record(
            actor=actor,
            action="election.roll_corrected",
            obj=locked,
            data={"member": membership.number, "action": action, "weight": weight},
        )
    return correction


def _people_at(moment: dt.datetime, role: str, strictly_before: bool) -> dict[int, int | None]:
    """Each organisation's representative (or alternate) at ``moment``, from the change history."""
    q = Q(role=role) & (Q(changed_at__lt=moment) if strictly_before else Q(changed_at__lte=moment))
    people: dict[int, int | None] = {}
    for org_id, user_id in (
        RepresentativeChange.objects.filter(q)
        .order_by("organisation_id", "changed_at", "id")
        .values_list("organisation_id", "user_id")
    ):
        people[org_id] = user_id  # the last change wins
    return people


def _voters(election: Election, numbers: set[str]) -> dict[str, tuple[int | None, int | None]]:
    """member number → (voter user id, alternate user id) at the record date.

    An organisation votes through the representative in force at the record date: the last
    recorded change at or before it, or, when none was recorded by then (the organisation
    kept the person it was created with, or changed only later), its current representative.
    The alternate is the one named before the record date, or the current one if the
    organisation never recorded a change of alternate and existed then.
    """
    at = election.record_date
    reps = _people_at(at, RepresentativeChange.Role.REPRESENTATIVE, strictly_before=False)
    alts = _people_at(at, RepresentativeChange.Role.ALTERNATE, strictly_before=True)
    alternates_changed = set(
        RepresentativeChange.objects.filter(role=RepresentativeChange.Role.ALTERNATE)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    result: dict[str, tuple[int | None, int | None]] = {}
    rows = Membership.objects.filter(number__in=numbers).values_list(
        "number",
        "user_id",
        "organisation_id",
        "organisation__representative_id",
        "organisation__alternate_id",
        "organisation__created_at",
    )
    for number, user_id, org_id, rep_now, alt_now, org_created in rows.iterator(chunk_size=BATCH):
        if user_id is not None:
            result[number] = (user_id, None)
            continue
        voter = reps.get(org_id) or rep_now
        if org_id in alts:
            alternate = alts[org_id]
        elif org_id not in alternates_changed and org_created is not None and org_created <= at:
            alternate = alt_now
        else:
            alternate = None
        result[number] = (voter, alternate if alternate != voter else None)
    for number in numbers - result.keys():
        result[number] = (None, None)  # no such membership: nobody can vote for it
    return result


@dataclass(frozen=True)
class VoterlessLine:
    """An organisation on the roll that nobody could vote for: it has no representative."""

    member_number: str
    name: str


def _voterless(voters: dict[str, tuple[int | None, int | None]]) -> list[VoterlessLine]:
    missing = sorted(number for number, (voter, _alt) in voters.items() if voter is None)
    if not missing:
        return []
    names = dict(
        Membership.objects.filter(number__in=missing).values_list("number", "organisation__legal_name")
    )
    return [VoterlessLine(number, names.get(number) or number) for number in missing]


def roll_lines_without_voter(
    *, election: Election, lines: Iterable[RollLine] | None = None
) -> list[VoterlessLine]:
    """Eligible organisation lines with nobody to cast them: the committee must fix them before the
    freeze (name a representative, or correct the line off the roll with a reason)."""
    eligible = [
        line for line in (lines if lines is not None else roll_lines(election=election)) if line.eligible
    ]
    return _voterless(_voters(election, {line.member_number for line in eligible}))


def _refuse_voterless(missing: list[VoterlessLine]) -> None:
    raise Conflict(
        _(
            "The roll cannot be frozen: nobody could vote for %(names)s. Name each organisation's "
            "representative, or correct its line off the roll with a reason, then freeze again."
        )
        % {"names": ", ".join(f"{line.name} ({line.member_number})" for line in missing)},
        code="roll_line_without_voter",
        detail={"members": [line.member_number for line in missing]},
    )


# --- The freeze, set-based ----------------------------------------------------------------------
#
# One ``INSERT … SELECT`` writes every roll row: the statement reads each membership's latest
# event at the record date (the snapshot ``voting_rights_bulk(at=record_date)`` reads) and
# applies ``members.rights.decide``'s rules of eligibility in SQL with the rule set in force at
# the record date (its grace days, minimum membership days and class weights, passed in as
# cut-off moments and joined classes), then the committee's corrections, the representative
# and alternate at the record date, the strike of members suspended now, the directory's
# ``listed`` and a random salt. A test checks it equals ``voting_rights_bulk`` on random
# histories, even when the freeze runs late. Totals and the version 2 fingerprint (SHA-256
# over the sorted published lines) are computed in the database on PostgreSQL; SQLite (the
# embedded default, no ``string_agg … ORDER BY``) streams the rows into the hash instead.
# Statements are constant in the number of members.


def _tables() -> dict[str, str]:
    from members.models import MembershipEvent, MembershipStanding, Organisation

    return {
        "membership": Membership._meta.db_table,
        "event": MembershipEvent._meta.db_table,
        "klass": MembershipClass._meta.db_table,
        "correction": RollCorrection._meta.db_table,
        "org": Organisation._meta.db_table,
        "change": RepresentativeChange._meta.db_table,
        "user": get_user_model()._meta.db_table,
        "entry": RollEntry._meta.db_table,
        "standing": MembershipStanding._meta.db_table,
    }


def _freeze_sql(*, postgres: bool, grace_may_vote: bool, min_days: int) -> str:
    """The ``INSERT … SELECT`` of a roll; parameters are named (``%(at)s``…)."""
    t = _tables()
    random_hex = "replace(gen_random_uuid()::text, '-', '')" if postgres else "lower(hex(randomblob(16)))"
    new_id = "gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))"
    active = "(s.state = 'active' AND (s.expires_at IS NULL OR s.expires_at > %(at)s))"
    grace = (
        "((s.state IN ('active', 'grace') AND s.expires_at <= %(at)s AND s.expires_at > %(grace_cut)s)"
        " OR (s.state = 'grace' AND (s.expires_at IS NULL OR s.expires_at > %(at)s)))"
    )
    standing = f"({active} OR {grace})" if grace_may_vote else active
    old_enough = " AND (s.member_since IS NULL OR s.member_since <= %(since_cut)s)" if min_days else ""
    latest = (
        "SELECT e2.id FROM {event} e2 WHERE e2.membership_id = m.id AND e2.at <= {moment} "
        "ORDER BY e2.at DESC, e2.id DESC LIMIT 1"
    )
    person = (
        "SELECT rc.user_id FROM {change} rc WHERE rc.organisation_id = s.organisation_id "
        "AND rc.role = '{role}' AND rc.changed_at {op} %(at)s ORDER BY rc.changed_at DESC, rc.id DESC LIMIT 1"
    )
    rep = person.format(change=t["change"], role="representative", op="<=")
    materialized = "MATERIALIZED" if postgres else ""  # computed once, not inlined twice
    alt = person.format(change=t["change"], role="alternate", op="<")
    return f"""
WITH ids AS {materialized} (
    -- Each membership's event at the record date and its recorded state now. The materialised
    -- standing (latest event) answers both unless something was recorded after the moment:
    -- then, and only then, the history is read (a late freeze, a future-dated event).
    SELECT m.id AS membership_id,
           CASE WHEN se.at <= %(at)s THEN se.id
                ELSE ({latest.format(event=t["event"], moment="%(at)s")}) END AS event_id,
           CASE WHEN se.at <= %(now)s THEN se.state
                ELSE (SELECT e3.state FROM {t["event"]} e3
                      WHERE e3.id = ({latest.format(event=t["event"], moment="%(now)s")})) END AS state_then
    FROM {t["membership"]} m
    LEFT JOIN {t["standing"]} st ON st.membership_id = m.id
    LEFT JOIN {t["event"]} se ON se.id = st.event_id
),
s AS (
    SELECT m.id AS membership_id, m.number, m.user_id, m.organisation_id, m.in_directory,
           m.state AS state_now, e.state, e.class_code, e.member_since, e.expires_at, ids.state_then
    FROM ids
    JOIN {t["membership"]} m ON m.id = ids.membership_id
    JOIN {t["event"]} e ON e.id = ids.event_id
),
lines AS (
    SELECT s.membership_id, s.number, s.user_id, s.organisation_id, s.in_directory, s.state_now,
           s.class_code, s.state_then,
           CASE
               WHEN c.action = 'include' THEN COALESCE(NULLIF(c.weight, 0), k.vote_weight, 0)
               WHEN c.action IS NOT NULL THEN 0
               WHEN k.vote_weight > 0 AND {standing}{old_enough} THEN k.vote_weight
               ELSE 0
           END AS weight
    FROM s
    LEFT JOIN {t["klass"]} k ON k.rule_set_id = %(rule_set)s AND k.code = s.class_code
    LEFT JOIN {t["correction"]} c ON c.election_id = %(election)s AND c.membership_id = s.membership_id
),
voters AS (
    SELECT l.*, o.legal_name,
           CASE WHEN l.user_id IS NOT NULL THEN l.user_id
                ELSE COALESCE(({rep.replace("s.organisation_id", "l.organisation_id")}), o.representative_id)
           END AS voter_id,
           CASE
               WHEN l.user_id IS NOT NULL THEN NULL
               WHEN EXISTS (SELECT 1 FROM {t["change"]} rc WHERE rc.organisation_id = l.organisation_id
                            AND rc.role = 'alternate' AND rc.changed_at < %(at)s)
                   THEN ({alt.replace("s.organisation_id", "l.organisation_id")})
               WHEN NOT EXISTS (SELECT 1 FROM {t["change"]} rc WHERE rc.organisation_id = l.organisation_id
                                AND rc.role = 'alternate') AND o.created_at <= %(at)s
                   THEN o.alternate_id
               ELSE NULL
           END AS alternate_id,
           (l.organisation_id IS NOT NULL OR (l.in_directory AND l.state_now IN ('active', 'grace')
                AND COALESCE(u.full_name, '') <> '')) AS is_listed
    FROM lines l
    LEFT JOIN {t["org"]} o ON o.id = l.organisation_id
    LEFT JOIN {t["user"]} u ON u.id = l.user_id
    WHERE l.weight > 0
)
INSERT INTO {t["entry"]} (id, election_id, member_number, subject_type, class_code, weight, voter_id,
                          alternate_id, has_voted, salt, listed, struck, struck_reason)
SELECT {new_id}, %(election)s, v.number,
       CASE WHEN v.organisation_id IS NOT NULL THEN 'organisation' ELSE 'individual' END,
       v.class_code, v.weight, v.voter_id, NULLIF(v.alternate_id, v.voter_id), %(false)s, {random_hex},
       v.is_listed,
       COALESCE(v.state_then = 'suspended', %(false)s),
       CASE WHEN v.state_then = 'suspended' THEN %(struck)s ELSE '' END
FROM voters v
"""  # noqa: S608  (table names from _meta; every value is a bound parameter)


def _fingerprint_in_db(election: Election, postgres: bool) -> str:
    if not postgres:  # streamed: SQLite has no ordered string_agg
        return roll_fingerprint(published_roll_lines(election=election))
    table = RollEntry._meta.db_table
    sql = f"""
SELECT encode(sha256(convert_to(COALESCE(string_agg(tok || ' ' || weight::text || E'\n', ''
                                          ORDER BY tok COLLATE "C"), ''), 'UTF8')), 'hex')
FROM (SELECT CASE WHEN listed THEN member_number
                  ELSE encode(sha256(convert_to(member_number || salt, 'UTF8')), 'hex') END AS tok, weight
      FROM {table} WHERE election_id = %s) lines
"""  # noqa: S608  (table name from _meta)
    with connection.cursor() as cursor:
        cursor.execute(sql, [election.pk])
        return str(cursor.fetchone()[0])


def _freeze_rows(election: Election) -> None:
    """Insert the roll rows in one statement; refuse (rolling back) if a line has no voter."""
    rules = rules_in_force(at=election.record_date)
    postgres = connection.vendor == "postgresql"
    adapt = connection.ops.adapt_datetimefield_value
    at = election.record_date
    params = {
        "at": adapt(at),
        "now": adapt(clock.now()),
        "grace_cut": adapt(at - dt.timedelta(days=rules.grace_days)),
        "since_cut": adapt(at - dt.timedelta(days=rules.min_membership_days_before_record_date)),
        "rule_set": rules.pk,
        "election": election.pk,
        "false": False,
        "struck": STRUCK_SUSPENDED,
    }
    sql = _freeze_sql(
        postgres=postgres,
        grace_may_vote=rules.grace_may_vote,
        min_days=rules.min_membership_days_before_record_date,
    )
    with connection.cursor() as cursor:
        if postgres:  # one statement: compiling it (JIT) costs more than it saves
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
    missing = list(
        RollEntry.objects.filter(election=election, voter__isnull=True)
        .order_by("member_number")
        .values_list("member_number", flat=True)
    )
    if missing:
        names = dict(
            Membership.objects.filter(number__in=missing).values_list("number", "organisation__legal_name")
        )
        _refuse_voterless([VoterlessLine(number, names.get(number) or number) for number in missing])


def roll_freeze(*, election: Election, actor: Any = None) -> Election:
    """Freeze the roll at the record date: one row per eligible member, its weight and voter."""
    with transaction.atomic():
        locked = lock_election(election)
        if locked.roll_frozen_at is not None:
            raise Conflict(_("The roll is already frozen."), code="roll_frozen")
        if clock.now() < locked.record_date:
            raise Conflict(_("The roll is frozen at the record date, not before."), code="too_early")
        if locked.state == ElectionState.CANCELLED:
            raise Conflict(_("The election was cancelled."), code="wrong_state")
        _freeze_rows(locked)  # raises (and the transaction rolls back) if a line has no voter
        entries = RollEntry.objects.filter(election=locked)
        by_class = {
            row["class_code"]: {"rows": row["rows"], "weight": row["weight"]}
            for row in entries.values("class_code")
            .annotate(rows=Count("id"), weight=Sum("weight"))
            .order_by("class_code")
        }
        suspended = list(
            entries.filter(struck=True).order_by("member_number").values_list("member_number", flat=True)
        )
        locked.roll_fingerprint = _fingerprint_in_db(locked, connection.vendor == "postgresql")
        locked.roll_fingerprint_version = FINGERPRINT_VERSION
        locked.roll_rows = sum(figures["rows"] for figures in by_class.values())
        locked.roll_weight = sum(figures["weight"] for figures in by_class.values())
        locked.roll_by_class = by_class
        locked.roll_frozen_at = clock.now()
        locked.save(
            update_fields=[
                "roll_fingerprint",
                "roll_fingerprint_version",
                "roll_rows",
                "roll_weight",
                "roll_by_class",
                "roll_frozen_at",
            ]
        )
        audit_record(
            actor=actor,
            action="election.roll_frozen",
            obj=locked,
            data={
                "fingerprint": locked.roll_fingerprint,
                "fingerprint_version": FINGERPRINT_VERSION,
                "rows": locked.roll_rows,
                "weight": locked.roll_weight,
                "by_class": by_class,
                "struck": suspended,
            },
        )
    return locked


def _contact(membership: Membership) -> str:
    if membership.user is not None:
        return str(membership.user.email)
    org = membership.organisation
    if org is None:
        return ""
    return str(org.representative.email) if org.representative is not None else org.billing_contact_email


def roll_notify_provisional(*, election: Election, actor: Any = None) -> int:
    """Publish the provisional roll: members who would be left off are told why (once)."""
    with transaction.atomic():
        locked = lock_election(election)
        if locked.provisional_notified_at is not None:
            return 0
        lines = [line for line in roll_lines(election=locked) if not line.eligible]
        rights = {r.subject: r for r in voting_rights_bulk(at=locked.record_date) if not r.eligible}
        memberships = Membership.objects.filter(
            number__in=[line.member_number for line in lines]
        ).select_related("user", "organisation__representative")
        url = reverse("elections:roll", kwargs={"slug": locked.slug})
        sent = 0
        for membership in memberships:
            r: VotingRights | None = rights.get(membership.number)
            codes = {reason.code for reason in r.reasons} if r else set()
            if codes and codes <= _SILENT_REASONS:
                continue
            to = _contact(membership)
            if not to:
                continue
            line = next(x for x in lines if x.member_number == membership.number)
            email_queue(
                to=to,
                template="emails/elections/provisional_roll_left_off",
                context={
                    "election": locked,
                    "member_number": membership.number,
                    "reasons": list(line.reasons),
                    "url": url,
                },
                purpose="elections.provisional_roll",
                subject_ref=membership.number,
            )
            sent += 1
        locked.provisional_notified_at = clock.now()
        locked.save(update_fields=["provisional_notified_at"])
        audit_record(
            actor=actor, action="election.provisional_roll_published", obj=locked, data={"notified": sent}
        )
    return sent


def access_own_roll_entries(*, election: Election, user: Any) -> list[RollEntry]:
    """The roll rows ``user`` may cast: as a member, as a representative, or as an alternate."""
    if not is_authenticated(user):
        return []
    return list(
        RollEntry.objects.filter(election=election, struck=False)
        .filter(Q(voter=user) | Q(alternate=user))
        .order_by("subject_type", "member_number")
    )


def access_roll_entry(*, election: Election, user: Any, entry_id: Any) -> RollEntry:
    for entry in access_own_roll_entries(election=election, user=user):
        if str(entry.pk) == str(entry_id):
            return entry
    raise NotFound(_("You are not on this election's roll."), code="not_on_roll")


def _retention_starts(election: Election) -> dt.datetime | None:
    """When the roll's retention period starts: certification (failed: the close; cancelled:
    the end of voting as scheduled)."""
    if election.state == ElectionState.CERTIFIED:
        return election.certified_at
    if election.state == ElectionState.FAILED:
        return election.closed_at
    if election.state == ElectionState.CANCELLED:
        return election.voting_closes_at
    return None


def roll_purge(*, election: Election, actor: Any = None) -> Election:
    """Delete the frozen roll's lines; fingerprint and totals stay (the schedule: ``actor=None``)."""
    with transaction.atomic():
        locked = lock_election(election)
        if locked.roll_purged_at is not None:
            return locked
        if not locked.is_finished:
            raise Conflict(_("The roll is kept until the election is finished."), code="wrong_state")
        deleted, _by_model = RollEntry.objects.filter(election=locked).delete()
        locked.roll_purged_at = clock.now()
        locked.save(update_fields=["roll_purged_at"])
        audit_record(
            actor=actor,
            action="election.roll_purged",
            obj=locked,
            data={"rows": deleted, "fingerprint": locked.roll_fingerprint},
        )
    return locked


def roll_purge_expired(*, at: dt.datetime | None = None) -> list[str]:
    """Delete the lines of every roll whose retention period has run out (a daily job)."""
    at = at or clock.now()
    done: list[str] = []
    finished = Election.objects.filter(
        roll_frozen_at__isnull=False,
        roll_purged_at__isnull=True,
        state__in=(ElectionState.CERTIFIED, ElectionState.FAILED, ElectionState.CANCELLED),
    ).select_related("rule_set")
    for election in finished.order_by("pk"):
        start = _retention_starts(election)
        days = election_rules_for(rule_set=election.rule_set).roll_retention_days
        if start is not None and start + dt.timedelta(days=days) <= at:
            roll_purge(election=election)
            done.append(f"{election.slug}: roll lines deleted")
    return done
