"""Good standing and voting rights, at any moment.

One definition of the rules, ``decide``, turns a membership's *snapshot* at a moment
(the latest history event at or before it) into an answer. ``voting_rights`` answers
for one subject; ``voting_rights_bulk`` for everyone, in a constant number of queries
(one set-based query picks every membership's latest event), so elections can freeze
rolls of 100,000 members with it. Both call ``decide``; a property test checks they
agree on random histories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from core import clock
from core.errors import NotFound
from core.models import RuleSet
from core.rules import in_force_id, rule_set_cached, rules_in_force_cached
from members.models import (
    Membership,
    MembershipClass,
    MembershipEvent,
    MembershipState,
    Organisation,
)
from members.rights_loader import RULE_SET_AT, membership_of_for_rights

S = MembershipState


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    since: dt.datetime | None = None


@dataclass(frozen=True)
class VotingRights:
    subject: str  # the public member number ("" when the subject is not a member)
    subject_type: str  # "individual" or "organisation"
    name: str
    eligible: bool
    weight: int
    class_code: str
    class_name: str
    standing: str  # the effective state at ``as_of``, e.g. "grace"
    reasons: list[Reason] = field(default_factory=list)
    as_of: dt.datetime | None = None
    rule_set_version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Snapshot:
    """What the history says about one membership at one moment."""

    number: str
    subject_type: str
    name: str
    state: str
    class_code: str
    member_since: dt.datetime | None
    expires_at: dt.datetime | None
    event_at: dt.datetime
    reason: str
    decision_ref: str


def _day(value: dt.datetime | None) -> str:
    # ISO dates: unambiguous in every language, and the API's clients parse them.
    return value.date().isoformat() if value else "?"


def effective_state(snapshot: Snapshot, rules: RuleSet, at: dt.datetime) -> tuple[str, dt.datetime | None]:
    """The state the rules give at ``at``, and since when.

    History events are written by scheduled jobs; an expiry the job has not processed
    yet still counts, so answers never depend on when a job ran.
    """
    state = snapshot.state
    if state in (S.ACTIVE, S.GRACE) and snapshot.expires_at and snapshot.expires_at <= at:
        grace_end = snapshot.expires_at + dt.timedelta(days=rules.grace_days)
        if at >= grace_end:
            return S.LAPSED, grace_end
        return S.GRACE, snapshot.expires_at
    if state == S.LAPSED and snapshot.expires_at:
        return S.LAPSED, snapshot.event_at
    return state, snapshot.event_at


def decide(
    *,
    snapshot: Snapshot | None,
    rules: RuleSet,
    classes: dict[str, MembershipClass],
    at: dt.datetime,
    subject_type: str = "individual",
    name: str = "",
    number: str = "",
) -> VotingRights:
    """The rules of good standing, in one place."""
    if snapshot is None:
        return VotingRights(
            subject=number,
            subject_type=subject_type,
            name=name,
            eligible=False,
            weight=0,
            class_code="",
            class_name="",
            standing="none",
            reasons=[Reason("not_a_member", _("Not a member at this moment."))],
            as_of=at,
            rule_set_version=rules.version,
        )
    state, since = effective_state(snapshot, rules, at)
    klass = classes.get(snapshot.class_code)
    reasons: list[Reason] = []
    if state == S.PENDING:
        reasons.append(
            Reason(
                "pending", _("The membership has not started yet (approval or first dues pending)."), since
            )
        )
    elif state == S.GRACE:
        if not rules.grace_may_vote:
            reasons.append(
                Reason(
                    "dues_unpaid",
                    _("Dues unpaid since %(date)s (in the grace period; members in grace do not vote).")
                    % {"date": _day(snapshot.expires_at)},
                    snapshot.expires_at,
                )
            )
    elif state == S.LAPSED:
        reasons.append(
            Reason(
                "lapsed",
                _("Dues unpaid since %(date)s; the membership lapsed on %(lapsed)s.")
                % {"date": _day(snapshot.expires_at), "lapsed": _day(since)},
                snapshot.expires_at or since,
            )
        )
    elif state == S.SUSPENDED:
        reasons.append(
            Reason(
                "suspended",
                _("Suspended on %(date)s by decision %(decision)s: %(reason)s")
                % {"date": _day(since), "decision": snapshot.decision_ref or "?", "reason": snapshot.reason},
                since,
            )
        )
    elif state == S.ENDED:
        reasons.append(Reason("ended", _("The membership ended on %(date)s.") % {"date": _day(since)}, since))
    if klass is None:
        reasons.append(
            Reason(
                "unknown_class",
                _("The class “%(code)s” does not exist in rule set v%(version)s.")
                % {"code": snapshot.class_code, "version": rules.version},
            )
        )
    elif klass.vote_weight == 0:
        reasons.append(Reason("class_without_vote", _("Members of this class do not vote.")))
    minimum = rules.min_membership_days_before_record_date
    if minimum and state in (S.ACTIVE, S.GRACE) and snapshot.member_since:
        qualifies_at = snapshot.member_since + dt.timedelta(days=minimum)
        if at < qualifies_at:
            reasons.append(
                Reason(
                    "too_new",
                    _("Member for fewer than %(days)s days (since %(since)s); votes from %(from)s.")
                    % {"days": minimum, "since": _day(snapshot.member_since), "from": _day(qualifies_at)},
                    snapshot.member_since,
                )
            )
    eligible = not reasons
    return VotingRights(
        subject=snapshot.number,
        subject_type=snapshot.subject_type,
        name=snapshot.name,
        eligible=eligible,
        weight=klass.vote_weight if (eligible and klass) else 0,
        class_code=snapshot.class_code,
        class_name=klass.name if klass else snapshot.class_code,
        standing=state,
        reasons=reasons,
        as_of=at,
        rule_set_version=rules.version,
    )


_CLASSES: dict[int, dict[str, MembershipClass]] = {}


def forget_cached_classes() -> None:
    _CLASSES.clear()


def _classes(rules: RuleSet) -> dict[str, MembershipClass]:
    """The version's classes by code; cached with the (immutable, adopted) version."""
    classes = _CLASSES.get(rules.pk)
    if classes is None:
        classes = {c.code: c for c in MembershipClass.objects.filter(rule_set=rules)}
        if rules.effective_from is not None:
            _CLASSES[rules.pk] = classes
    return classes


_SNAPSHOT_FIELDS = (
    "membership__number",
    "membership__organisation_id",
    "membership__organisation__legal_name",
    "membership__user__full_name",
    "membership__user__email",
    "state",
    "class_code",
    "member_since",
    "expires_at",
    "at",
    "reason",
    "decision_ref",
)


def _latest_snapshots(at: dt.datetime, memberships: Any = None) -> Any:
    """Each membership's latest event at or before ``at``, as ``Snapshot``s.

    One query, set-based: a correlated subquery picks every membership's latest event
    id, and plain tuples (no model instances) keep 100,000 rows cheap.
    """
    latest = MembershipEvent.objects.filter(membership=OuterRef("pk"), at__lte=at).order_by("-at", "-id")
    scope = memberships if memberships is not None else Membership.objects.all()
    latest_ids = scope.annotate(event_id=Subquery(latest.values("id")[:1])).values("event_id")
    rows = (
        MembershipEvent.objects.filter(id__in=latest_ids)
        .order_by("membership_id")
        .values_list(*_SNAPSHOT_FIELDS)
    )
    for (
        number,
        org_id,
        legal_name,
        full_name,
        email,
        state,
        code,
        since,
        expires,
        event_at,
        reason,
        decision,
    ) in rows.iterator(chunk_size=5000):
        yield Snapshot(
            number=number,
            subject_type="organisation" if org_id else "individual",
            name=legal_name if org_id else (full_name or email),
            state=state,
            class_code=code,
            member_since=since,
            expires_at=expires,
            event_at=event_at,
            reason=reason,
            decision_ref=decision,
        )


# --- The fast path: the materialised snapshot (``MembershipStanding``) -------------------------
#
# The latest event by (``at``, id) is, for any moment at or after its ``at``, exactly the
# event the history would pick (every other event is at or before it). So a query at or after
# the latest event (which includes "now" for every history that is not dated in the future)
# reads the standing row joined to its event in the membership's own query, with the id of
# the rule set in force at that moment as a subquery, and runs ``decide`` on it: grace and
# lapse as dates pass, and a version taking effect on its date, are computed at read time.
# An earlier moment reads the history as before.


def rights_memberships(at: dt.datetime) -> Any:
    """Memberships with everything ``voting_rights(at=at)`` needs, in one indexed query."""
    return Membership.objects.select_related("user", "organisation", "standing__event").annotate(
        **{RULE_SET_AT: Subquery(in_force_id(at))}
    )


def _snapshot_of(membership: Membership, event: MembershipEvent) -> Snapshot:
    org = membership.organisation
    user = membership.user
    return Snapshot(
        number=membership.number,
        subject_type="organisation" if org is not None else "individual",
        name=org.legal_name if org is not None else ((user.full_name or user.email) if user else ""),
        state=event.state,
        class_code=event.class_code,
        member_since=event.member_since,
        expires_at=event.expires_at,
        event_at=event.at,
        reason=event.reason,
        decision_ref=event.decision_ref,
    )


def _rules_for(membership: Membership, at: dt.datetime) -> RuleSet:
    pk = getattr(membership, RULE_SET_AT, None)
    if pk is None:
        raise NotFound("No rule set is in force at that moment.", code="no_rule_set")
    return rule_set_cached(pk)


def _membership_for(subject: Any, at: dt.datetime) -> Membership | None:
    if (
        isinstance(subject, Membership)
        and hasattr(subject, RULE_SET_AT)
        and getattr(subject, "_rights_at", None) == at
    ):
        return subject  # loaded by ``rights_memberships(at)``
    # The same rows in one precompiled statement (members.rights_loader).
    return membership_of_for_rights(subject=subject, at=at)


def prepared_for_rights(membership: Membership, at: dt.datetime) -> Membership:
    """Mark ``membership`` (from ``rights_memberships(at)``) as loaded for that moment."""
    membership._rights_at = at  # type: ignore[attr-defined]
    return membership


def current_snapshot(*, membership: Membership, at: dt.datetime | None = None) -> Snapshot | None:
    """The snapshot the voting-rights answer reads at ``at`` (now by default): the
    materialised standing, or the history for a moment before the latest event. Banners and
    reminders read their term from it, so they never disagree with the API."""
    at = at or clock.now()
    loaded = _membership_for(membership, at)
    if loaded is None:
        return None
    standing = getattr(loaded, "standing", None)
    if standing is not None and standing.event.at <= at:
        return _snapshot_of(loaded, standing.event)
    return next(_latest_snapshots(at, Membership.objects.filter(pk=loaded.pk)), None)


def voting_rights(*, subject: Any, at: dt.datetime | None = None) -> VotingRights:
    """Whether ``subject`` (a membership, organisation or user) may vote at ``at``, and why not.

    One query (none for a membership loaded with ``rights_memberships(at)``), plus one
    history query for a moment before the latest event.
    """
    at = at or clock.now()
    membership = _membership_for(subject, at)
    if membership is None:
        rules = rules_in_force_cached(at=at)
        is_org = isinstance(subject, Organisation)
        return decide(
            snapshot=None,
            rules=rules,
            classes={},
            at=at,
            subject_type="organisation" if is_org else "individual",
            name=str(subject),
        )
    rules = _rules_for(membership, at)
    standing = getattr(membership, "standing", None)  # loaded by the join: no query
    if standing is not None and standing.event.at <= at:
        snapshot: Snapshot | None = _snapshot_of(membership, standing.event)
    else:  # a past moment (or a history without a standing row): read the history
        snapshot = next(_latest_snapshots(at, Membership.objects.filter(pk=membership.pk)), None)
    return decide(
        snapshot=snapshot,
        rules=rules,
        classes=_classes(rules),
        at=at,
        subject_type="organisation" if membership.organisation_id else "individual",
        name=membership.subject_name,
        number=membership.number,
    )


def voting_rights_bulk(*, at: dt.datetime | None = None) -> list[VotingRights]:
    """``voting_rights`` for every membership with history at ``at``, in three queries."""
    at = at or clock.now()
    rules = rules_in_force_cached(at=at)
    classes = _classes(rules)
    return [
        decide(snapshot=snapshot, rules=rules, classes=classes, at=at) for snapshot in _latest_snapshots(at)
    ]


# --- Rights as frozen on an election's roll ----------------------------------------------
# The roll belongs to the elections app, above this one. It registers its lookup here in
# ``ElectionsConfig.ready()``; ``?election=`` in the voting-rights API calls it through
# ``voting_rights_on_roll`` without members importing elections.


@dataclass(frozen=True)
class RollLookup:
    """How the elections app answers from a frozen roll.

    ``access(election_id=...)`` returns the election or raises a ``DomainError``
    (unknown election, roll not frozen yet); ``rights(membership=..., election=...)``
    returns the rights as frozen on that roll.
    """

    access: Callable[..., Any]
    rights: Callable[..., VotingRights]


_roll_lookups: list[RollLookup] = []


def register_roll_rights(lookup: RollLookup) -> None:
    _roll_lookups[:] = [lookup]


def access_frozen_roll(*, election_id: str) -> Any:
    """The election whose frozen roll ``?election=`` asks about (a ``DomainError`` if none)."""
    if not _roll_lookups:
        raise NotFound(_("No election with that id."), code="election_not_found")
    return _roll_lookups[0].access(election_id=election_id)


def voting_rights_on_roll(*, membership: Membership, election: Any) -> VotingRights:
    """Rights as frozen on ``election``'s roll (from :func:`access_frozen_roll`)."""
    return _roll_lookups[0].rights(membership=membership, election=election)
