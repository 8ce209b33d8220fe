"""Reads that need joins or figures: the ballot's candidates, turnout, quorum, tie order."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import is_authenticated
from core.errors import NotFound, ValidationFailed
from elections.counting import seed_order
from elections.models import (
    Candidate,
    CandidateState,
    Election,
    ElectionRules,
    ElectionState,
    Nomination,
    RollEntry,
)
from elections.rules import election_rules_for
from governance.directors_elect import DirectorElect
from members.models import Membership
from members.rights import Reason, RollLookup, VotingRights, voting_rights
from members.selectors import GroupIdentity, GroupIndex, group_index

log = logging.getLogger(__name__)


def ballot_candidates(*, election: Election) -> list[Candidate]:
    """Everyone on the ballot: accepted candidates, and those who withdrew once voting had opened."""
    return list(
        Candidate.objects.filter(election=election)
        .filter(
            Q(state=CandidateState.ACCEPTED)
            | Q(state=CandidateState.WITHDRAWN, withdrawn_after_voting_opened=True)
        )
        .select_related("employer", "person")
        .order_by("name", "pk")
    )


def candidate_group(candidate: Candidate, *, index: GroupIndex | None = None) -> GroupIdentity | None:
    """The company a candidate works for, as declared on accepting (``None``: independent or none)."""
    if candidate.independent or (candidate.employer_id is None and candidate.employer_group_id is None):
        return None
    return (index or group_index()).of_employer(
        organisation=candidate.employer, group_id=candidate.employer_group_id
    )


def nominating_memberships(*, user: Any) -> list[Membership]:
    """The memberships ``user`` acts for: their own, and those of organisations they represent."""
    own = list(Membership.objects.filter(user=user))
    orgs = list(Membership.objects.filter(organisation__representative=user).select_related("organisation"))
    return own + orgs


def public_candidates(*, election: Election) -> list[Candidate]:
    """Candidates with their nominators (prefetched), for the public list."""
    return list(
        Candidate.objects.filter(election=election)
        .exclude(state=CandidateState.DECLINED)
        .select_related("employer")
        .prefetch_related("nominations__nominator__user", "nominations__nominator__organisation")
        .order_by("name", "pk")
    )


def nominations_by(*, election: Election) -> list[Nomination]:
    return list(
        Nomination.objects.filter(election=election).select_related(
            "candidate", "nominator__user", "nominator__organisation"
        )
    )


@dataclass(frozen=True)
class Turnout:
    rows: int
    weight: int
    voted_rows: int
    voted_weight: int
    by_class: dict[str, dict[str, int]]
    members_percent_needed: int
    weight_percent_needed: int

    @property
    def rows_share(self) -> Fraction:
        return Fraction(self.voted_rows, self.rows) if self.rows else Fraction(0)

    @property
    def weight_share(self) -> Fraction:
        return Fraction(self.voted_weight, self.weight) if self.weight else Fraction(0)

    @property
    def rows_percent(self) -> float:
        return float(self.rows_share * 100)

    @property
    def weight_percent(self) -> float:
        return float(self.weight_share * 100)

    @property
    def quorum_met(self) -> bool:
        return (
            self.rows > 0
            and self.rows_share * 100 >= self.members_percent_needed
            and self.weight_share * 100 >= self.weight_percent_needed
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "weight": self.weight,
            "voted_rows": self.voted_rows,
            "voted_weight": self.voted_weight,
            "by_class": self.by_class,
            "quorum_met": self.quorum_met,
            "members_percent_needed": self.members_percent_needed,
            "weight_percent_needed": self.weight_percent_needed,
        }


def election_turnout(*, election: Election, rules: ElectionRules | None = None) -> Turnout:
    """Turnout and quorum from the roll (who cast, never what): one grouped query.

    Lines struck after the freeze (a suspended member) cannot vote and are left out.
    """
    rules = rules or election_rules_for(rule_set=election.rule_set)
    by_class: dict[str, dict[str, int]] = {}
    rows = (
        RollEntry.objects.filter(election=election, struck=False)
        .values("class_code")
        .annotate(
            n_rows=Count("pk"),
            n_weight=Sum("weight"),
            n_voted_rows=Count("pk", filter=Q(has_voted=True)),
            n_voted_weight=Sum("weight", filter=Q(has_voted=True)),
        )
        .order_by("class_code")
    )
    for row in rows:
        by_class[row["class_code"]] = {
            "rows": row["n_rows"],
            "weight": row["n_weight"] or 0,
            "voted_rows": row["n_voted_rows"],
            "voted_weight": row["n_voted_weight"] or 0,
        }
    return Turnout(
        rows=sum(c["rows"] for c in by_class.values()),
        weight=sum(c["weight"] for c in by_class.values()),
        voted_rows=sum(c["voted_rows"] for c in by_class.values()),
        voted_weight=sum(c["voted_weight"] for c in by_class.values()),
        by_class=by_class,
        members_percent_needed=rules.quorum_members_percent,
        weight_percent_needed=rules.quorum_weight_percent,
    )


OTHER_CLASSES = "other"


def published_turnout(figures: dict[str, Any], *, min_class_size: int) -> dict[str, Any]:
    """Turnout as published: classes where fewer than ``min_class_size`` members voted are
    merged into "other" (with their rows and weight), so a small class's turnout does not
    narrow down who voted. Totals and quorum are unchanged. Idempotent."""
    published = dict(figures)
    by_class: dict[str, dict[str, int]] = {}
    other = {"rows": 0, "weight": 0, "voted_rows": 0, "voted_weight": 0}
    merged = False
    for code, row in sorted((figures.get("by_class") or {}).items()):
        if code != OTHER_CLASSES and row.get("voted_rows", 0) >= min_class_size:
            by_class[code] = dict(row)
            continue
        merged = True
        for key in other:
            other[key] += int(row.get(key, 0))
    if merged:
        by_class[OTHER_CLASSES] = other
    published["by_class"] = by_class
    published["min_class_size"] = min_class_size
    return published


def election_turnout_public(
    *, election: Election, rules: ElectionRules | None = None
) -> dict[str, Any] | None:
    """The turnout the public sees: frozen at the close (or cancellation), live while voting,
    small classes merged into "other" either way; None before the roll is frozen."""
    rules = rules or election_rules_for(rule_set=election.rule_set)
    if election.turnout and (election.closed_at is not None or election.state == ElectionState.CANCELLED):
        # Stored merged since the close keeps totals only; merged again for older elections.
        return published_turnout(dict(election.turnout), min_class_size=rules.turnout_min_class_size)
    if election.roll_frozen_at is None or election.state == ElectionState.CANCELLED:
        return None
    return published_turnout(_live_turnout(election, rules), min_class_size=rules.turnout_min_class_size)


def _live_turnout(election: Election, rules: ElectionRules) -> dict[str, Any]:
    """Live turnout, computed at most every ``TURNOUT_LIVE_SECONDS`` per election.

    Counting it groups the whole roll (100,000 rows: tens of milliseconds of the database's
    time), and on the last evening everyone reloads the election page. Within that time every
    visitor sees the same figures; a turnout that moves in steps also says less about when
    any one voter cast. A cache that is down costs a recount, never the page.
    """
    seconds = int(getattr(settings, "TURNOUT_LIVE_SECONDS", 30))
    if seconds <= 0 or election.roll_frozen_at is None:
        return election_turnout(election=election, rules=rules).as_dict()
    key = f"charter:turnout:{election.pk}:{election.roll_frozen_at.isoformat()}"
    try:
        cached = cache.get(key)
    except Exception:  # the cache is down: count instead
        log.warning("live turnout: cache unavailable, counted instead", exc_info=True)
        cached = None
    if cached is not None:
        return dict(cached)
    live = election_turnout(election=election, rules=rules).as_dict()
    try:
        cache.set(key, live, seconds)
    except Exception:
        log.warning("live turnout: cache unavailable, not kept", exc_info=True)
    return live


def published_tie_order(*, election: Election) -> list[str]:
    """The order ties are broken in: SHA-256 of ``seed:name`` ascending (anyone can recompute it)."""
    if not election.tie_seed:
        return []
    return seed_order([c.name for c in ballot_candidates(election=election)], election.tie_seed)


@dataclass(frozen=True)
class Prompt:
    """Something a member should do in an election (shown on their dashboard)."""

    kind: str  # "accept_nomination", "vote", or "voted" (every vote of theirs cast, voting still open)
    election: Election
    url: str


def member_election_prompts(*, user: Any) -> list[Prompt]:
    """Nominations waiting for this person's answer, votes they can still cast, and the
    elections open for voting in which they have cast every vote they hold."""
    if not is_authenticated(user):
        return []
    prompts = [
        Prompt(
            "accept_nomination", c.election, reverse("elections:candidacy", kwargs={"slug": c.election.slug})
        )
        for c in Candidate.objects.filter(
            person=user, state=CandidateState.NOMINATED, election__state=ElectionState.NOMINATIONS_OPEN
        ).select_related("election")
    ]
    # The person's own roll rows while voting is open: ``has_voted`` is theirs to see then
    # (the close clears it, so afterwards nothing here says whether they voted).
    entries = (
        RollEntry.objects.filter(Q(voter=user) | Q(alternate=user), struck=False)
        .filter(election__state__in=(ElectionState.VOTING, ElectionState.EXTENDED))
        .select_related("election")
        .order_by("election__voting_closes_at", "election_id")
    )
    by_election: dict[int, list[RollEntry]] = {}
    for entry in entries:
        by_election.setdefault(entry.election_id, []).append(entry)
    for rows in by_election.values():
        election = rows[0].election
        url = reverse("elections:ballot", kwargs={"slug": election.slug})
        voted = all(row.has_voted for row in rows)
        prompts.append(Prompt("voted" if voted else "vote", election, url))
    return prompts
    return prompts


# --- Voting rights as frozen on a roll (registered with members.rights in apps.py) -----


def access_frozen_roll(*, election_id: str) -> Election:
    """The election whose frozen roll ``?election=`` asks about."""
    election = Election.objects.filter(slug=election_id).first()
    if election is None:
        raise NotFound(_("No election with that id."), code="election_not_found")
    if election.roll_frozen_at is None:
        raise ValidationFailed(
            _("The roll of this election is not frozen yet: ask with “at” instead."), code="roll_not_frozen"
        )
    return election


def voting_rights_on_roll(*, membership: Membership, election: Election) -> VotingRights:
    """Rights as frozen on ``election``'s roll: the roll row's weight (corrections included),
    with the standing and reasons the rules gave at the record date.
    """
    at_record = voting_rights(subject=membership, at=election.record_date)
    entry = RollEntry.objects.filter(election=election, member_number=membership.number).first()
    if entry is not None and entry.struck:
        struck = Reason("struck", _("Struck from this election's roll: suspended after the record date."))
        return replace(at_record, eligible=False, weight=0, reasons=[struck])
    if entry is not None:
        same_class = entry.class_code == at_record.class_code
        return replace(
            at_record,
            eligible=True,
            weight=entry.weight,
            class_code=entry.class_code,
            class_name=at_record.class_name if same_class else entry.class_code,
            reasons=[],
        )
    reasons = at_record.reasons or [Reason("not_on_roll", _("Not on this election's frozen roll."))]
    return replace(at_record, eligible=False, weight=0, reasons=reasons)


ROLL_LOOKUP = RollLookup(access=access_frozen_roll, rights=voting_rights_on_roll)


# --- Directors-elect (registered with governance.directors_elect in apps.py) ----------------


def elected_in_order(*, election: Election) -> list[Candidate]:
    """The elected, in the order the count declared them (the order they are paired with seats)."""
    ids = election.result.get("candidate_ids", {})
    by_pk = {
        c.pk: c for c in Candidate.objects.filter(election=election).select_related("person", "employer")
    }
    return [
        by_pk[ids[name]] for name in election.result.get("elected", []) if name in ids and ids[name] in by_pk
    ]


def seats_wait_for_term(election: Election) -> bool:
    """A cohort election certified before the cohort's current term ends seats the elected at its end."""
    return election.cohort is not None and election.cohort.term_end > clock.today()


@dataclass(frozen=True)
class Winner:
    """One elected candidate as the certify step shows them: the seat they take, and when."""

    candidate: Candidate
    seat: Any
    takes_office_on: Any  # a date, or None: at once, on certification


def certification_preview(*, election: Election) -> list[Winner]:
    """Who certifying ``election`` puts on the board, paired with seats in seat order as the seating does."""
    seats = list(election.seats.order_by("number"))
    later = (
        election.cohort.term_end if election.cohort is not None and seats_wait_for_term(election) else None
    )
    return [
        Winner(candidate=candidate, seat=seat, takes_office_on=later)
        for seat, candidate in zip(seats, elected_in_order(election=election), strict=False)
    ]


def directors_elect() -> list[DirectorElect]:
    """Certified winners who have not taken their seats: a cohort's term has not ended yet.

    They take office on the cohort's term end (the schedule seats them then); each is paired
    with a seat in seat order, as the seating does.
    """
    pending = (
        Election.objects.filter(state=ElectionState.CERTIFIED, seats_filled_at__isnull=True)
        .select_related("cohort")
        .prefetch_related("seats")
        .order_by("certified_at", "pk")
    )
    found: list[DirectorElect] = []
    for election in pending:
        seats = sorted(election.seats.all(), key=lambda s: s.number)
        takes_office = election.cohort.term_end if election.cohort else clock.today()
        url = reverse("elections:results", kwargs={"slug": election.slug})
        found.extend(
            DirectorElect(
                person=candidate.person,
                seat_number=seat.number,
                cohort_code=election.cohort.code if election.cohort else "",
                employer_label=candidate.employer_label,
                takes_office_on=takes_office,
                election_title=election.title,
                election_url=url,
                certified_at=election.certified_at or clock.now(),
            )
            for seat, candidate in zip(seats, elected_in_order(election=election), strict=False)
        )
    return found
