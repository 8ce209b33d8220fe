"""Decisions with their roll calls; policies and their versions.

``decision_record`` takes the whole roll call at once: every director in office at
the meeting gets a vote (absent ones are recorded absent), the outcome is computed
from the rule set in force at the meeting, and what the decision adopts (approved
minutes, a policy version, a rule-set version) takes effect only if it passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.models import RuleSet
from governance import permissions
from governance.models import (
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Outcome,
    Policy,
    PolicyKind,
    PolicyVersion,
    Vote,
    VoteChoice,
)
from governance.services.common import change_record
from governance.services.meetings import directors_at
from governance.voting import Tally, decide_outcome


def _check_roll_call(
    *, meeting: Meeting, directors: dict[int, Any], votes: dict[int, tuple[str, str]]
) -> dict[int, tuple[str, str]]:
    """Complete and check the roll call: one vote for each director in office, none for anyone else."""
    for pk in votes:
        if pk not in directors:
            raise ValidationFailed(
                _("Only directors in office at the meeting vote; user %(pk)s was not one.") % {"pk": pk},
                code="not_a_director",
            )
    present: set[int] | None = None
    if meeting.kind != MeetingKind.WRITTEN_CONSENT:
        attendance = list(
            Attendance.objects.filter(meeting=meeting, is_director=True).values_list("person_id", "status")
        )
        if not attendance:
            raise ValidationFailed(
                _("Record the meeting's attendance before its decisions: quorum is computed from it."),
                code="attendance_missing",
            )
        present = {pk for pk, status in attendance if status == AttendanceStatus.PRESENT}
    complete: dict[int, tuple[str, str]] = {}
    for pk, person in directors.items():
        choice, note = votes.get(pk, (VoteChoice.ABSENT, ""))
        if choice not in VoteChoice.values:
            raise ValidationFailed(_("Unknown vote."), code="invalid_vote")
        is_present = present is None or pk in present
        if choice == VoteChoice.ABSENT and is_present and present is not None:
            raise ValidationFailed(
                _("The roll call is incomplete: %(person)s was present but has no vote recorded.")
                % {"person": person},
                code="roll_call_incomplete",
            )
        if choice != VoteChoice.ABSENT and present is not None and not is_present:
            raise ValidationFailed(
                _("%(person)s was absent from the meeting and cannot have voted.") % {"person": person},
                code="absent_voted",
            )
        if choice == VoteChoice.RECUSED and not note.strip():
            raise ValidationFailed(
                _("%(person)s recused: note the conflict of interest.") % {"person": person},
                code="recusal_needs_note",
            )
        complete[pk] = (choice, note.strip() if choice == VoteChoice.RECUSED else "")
    return complete


def decision_record(
    *,
    meeting: Meeting,
    title: str,
    text: str,
    kind: str = DecisionKind.ORDINARY,
    votes: Iterable[tuple[Any, str, str]],
    actor: Any,
    approves_minutes: Minutes | None = None,
    adopts_policy_version: PolicyVersion | None = None,
    adopts_rule_set: RuleSet | None = None,
) -> Decision:
    """Record a decision taken at ``meeting`` with its roll call ``(director, choice, note)``."""
    require(
        permissions.can_record_meeting(actor, meeting), _("Only the secretary records the board's decisions.")
    )
    if kind not in DecisionKind.values:
        raise ValidationFailed(_("Unknown kind of decision."), code="invalid_kind")
    if not title.strip() or not text.strip():
        raise ValidationFailed(_("A decision needs a title and its text."), code="text_required")
    by_pk = {person.pk: (choice, note or "") for person, choice, note in votes}
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).select_related("rule_set").get(pk=meeting.pk)
        if locked.status == MeetingStatus.CANCELLED:
            raise Conflict(_("The meeting was cancelled."), code="meeting_cancelled")
        if locked.kind == MeetingKind.WRITTEN_CONSENT:
            raise ValidationFailed(
                _("Directors confirm their own votes on a written consent; it is tallied at its deadline."),
                code="written_consent_by_directors",
            )
        if approves_minutes is not None:
            approves_minutes = (
                Minutes.objects.select_for_update(of=("self",))
                .select_related("meeting")
                .get(pk=approves_minutes.pk)
            )
            if approves_minutes.status != MinutesStatus.DRAFT:
                raise Conflict(
                    _("Minutes no. %(number)s are not a draft awaiting approval.")
                    % {"number": approves_minutes.number},
                    code="minutes_not_draft",
                )
            if approves_minutes.meeting.scheduled_at >= locked.scheduled_at:
                raise ValidationFailed(
                    _("Minutes no. %(number)s can only be approved at a later meeting.")
                    % {"number": approves_minutes.number},
                    code="minutes_same_meeting",
                )
        if (
            adopts_rule_set is not None
            and kind != DecisionKind.RULE_SET_CHANGE
            and kind != DecisionKind.BYLAWS_AMENDMENT
        ):
            raise ValidationFailed(
                _("A new rule-set version is adopted by a rule-set change or a bylaws amendment."),
                code="wrong_kind",
            )
        if adopts_policy_version is not None:
            adopts_policy_version = (
                PolicyVersion.objects.select_for_update(of=("self",))
                .select_related("policy")
                .get(pk=adopts_policy_version.pk)
            )
            if adopts_policy_version.adopted_at is not None:
                raise Conflict(_("That policy version is already adopted."), code="already_adopted")
            if (
                adopts_policy_version.policy.kind == PolicyKind.BYLAWS
                and kind != DecisionKind.BYLAWS_AMENDMENT
            ):
                raise ValidationFailed(_("Bylaws change only by a bylaws amendment."), code="wrong_kind")
        directors = directors_at(locked.scheduled_at)
        roll = _check_roll_call(meeting=locked, directors=directors, votes=by_pk)
        return decision_create_from_roll(
            meeting=locked,
            title=title,
            text=text,
            kind=kind,
            directors=directors,
            roll=roll,
            actor=actor,
            approves_minutes=approves_minutes,
            adopts_policy_version=adopts_policy_version,
            adopts_rule_set=adopts_rule_set,
        )


def decision_create_from_roll(
    *,
    meeting: Meeting,
    title: str,
    text: str,
    kind: str,
    directors: dict[int, Any],
    roll: dict[int, tuple[str, str]],
    actor: Any,
    approves_minutes: Minutes | None = None,
    adopts_policy_version: PolicyVersion | None = None,
    adopts_rule_set: RuleSet | None = None,
) -> Decision:
    """Tally a complete roll call with ``governance.voting`` and record the decision.

    Runs inside the caller's transaction, with ``meeting`` locked. Shared by the roll calls of
    meetings (``decision_record``) and by written consents (``written_consent_tally``).
    """
    locked = meeting
    rules = locked.rule_set
    choices = [c for c, _n in roll.values()]
    tally = Tally(
        in_office=len(directors),
        present=sum(1 for c in choices if c != VoteChoice.ABSENT),
        yes=choices.count(VoteChoice.YES),
        no=choices.count(VoteChoice.NO),
        abstain=choices.count(VoteChoice.ABSTAIN),
        recused=choices.count(VoteChoice.RECUSED),
        absent=choices.count(VoteChoice.ABSENT),
    )
    result = decide_outcome(rules=rules, decision_kind=kind, meeting_kind=locked.kind, tally=tally)
    last = Decision.objects.select_for_update().order_by("-number").first()
    decision = Decision.objects.create(
        number=(last.number if last else 0) + 1,
        title=title.strip(),
        text=text.strip(),
        kind=kind,
        meeting=locked,
        rule_set=rules,
        decided_at=locked.scheduled_at,
        needs_supermajority=result.needs_supermajority,
        required_rule=result.required_rule[:300],
        in_office=tally.in_office,
        present=tally.present,
        quorum_required=result.quorum_required,
        quorum_present=result.quorum_present,
        yes=tally.yes,
        no=tally.no,
        abstain=tally.abstain,
        recused=tally.recused,
        absent=tally.absent,
        required_yes=result.required_yes,
        outcome=result.outcome,
        adopts_rule_set=adopts_rule_set,
        adopts_policy_version=adopts_policy_version,
        approves_minutes=approves_minutes,
        search_text=f"{title}\n{text}",
    )
    Vote.objects.bulk_create(
        Vote(decision=decision, director=directors[pk], choice=choice, conflict_note=note)
        for pk, (choice, note) in roll.items()
    )
    if locked.status == MeetingStatus.SCHEDULED and locked.scheduled_at <= clock.now():
        Meeting.objects.filter(pk=locked.pk).update(status=MeetingStatus.HELD)
    adopted = result.outcome == Outcome.ADOPTED
    if adopted:
        _apply(decision)
    audit_record(
        actor=actor,
        action="board.decision_recorded",
        obj=decision,
        data={
            "kind": kind,
            "meeting": locked.audit_ref,
            "rule_set": rules.version,
            "outcome": result.outcome,
            "required_yes": result.required_yes,
            "quorum_present": result.quorum_present,
            "votes": {directors[pk].audit_ref: choice for pk, (choice, _n) in roll.items()},
            "approves_minutes": approves_minutes.number if approves_minutes else None,
            "adopts_policy_version": adopts_policy_version.pk if adopts_policy_version else None,
            "adopts_rule_set": adopts_rule_set.version if adopts_rule_set else None,
        },
    )
    change_record(
        item_type="decision",
        item_label=str(decision),
        url=reverse("governance:decision_detail", args=[decision.number]),
        summary=_("Recorded: %(outcome)s") % {"outcome": Outcome(result.outcome).label},
    )
    return decision


def _apply(decision: Decision) -> None:
    """What an adopted decision puts into effect."""
    if decision.approves_minutes is not None:
        Minutes.objects.filter(pk=decision.approves_minutes.pk).update(
            status=MinutesStatus.APPROVED, approved_by=decision, updated_at=clock.now()
        )
    version = decision.adopts_policy_version
    if version is not None:
        PolicyVersion.objects.filter(pk=version.pk).update(
            adopted_at=decision.decided_at, adopted_by=decision
        )
        Policy.objects.filter(pk=version.policy_id).update(current_version=version.version)
        change_record(
            item_type="policy",
            item_label=version.policy.title,
            url=reverse("governance:policy_detail", args=[version.policy.slug]),
            summary=_("Version %(version)s adopted") % {"version": version.version},
            reason=version.change_note or decision.reference,
        )
    if decision.adopts_rule_set is not None and not decision.adopts_rule_set.adopted_by:
        RuleSet.objects.filter(pk=decision.adopts_rule_set.pk).update(
            adopted_by=f"{decision.reference} {decision.title}"[:300]
        )
        change_record(
            item_type="rule_set",
            item_label=str(decision.adopts_rule_set),
            url=reverse("governance:rules"),
            summary=_("Adopted"),
            reason=decision.reference,
        )


def policy_create(
    *, slug: str, title: str, kind: str = PolicyKind.POLICY, summary: str = "", actor: Any
) -> Policy:
    require(permissions.can_manage_board(actor), _("Only the secretary or the chair adds a policy."))
    with transaction.atomic():
        if Policy.objects.filter(slug=slug).exists():
            raise Conflict(
                _("A policy with the address “%(slug)s” exists.") % {"slug": slug}, code="duplicate"
            )
        policy = Policy.objects.create(
            slug=slug, title=title, kind=kind, summary=summary, created_at=clock.now()
        )
        audit_record(actor=actor, action="policy.created", obj=policy, data={"kind": kind})
    return policy


def policy_version_propose(
    *, policy: Policy, body_md: str, change_note: str = "", actor: Any
) -> PolicyVersion:
    """A new text, in force once a decision adopts it."""
    require(
        permissions.can_manage_board(actor), _("Only the secretary or the chair proposes a policy's text.")
    )
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        last = locked.versions.order_by("-version").first()
        if last is not None and last.body_md == body_md:
            raise ValidationFailed(
                _("The text is the same as version %(v)s.") % {"v": last.version}, code="unchanged"
            )
        version = PolicyVersion.objects.create(
            policy=locked,
            version=(last.version if last else 0) + 1,
            body_md=body_md,
            change_note=change_note,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor, action="policy.version_proposed", obj=locked, data={"version": version.version}
        )
    return version
