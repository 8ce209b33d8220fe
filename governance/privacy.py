"""Governance's part of the members' data registry (core/privacy.py), registered in ``GovernanceConfig.ready()``.

Board seats, committee memberships, conflict-of-interest declarations, votes in the board's
decisions, meeting attendance, and suspensions of the person's membership. A sitting
director or committee member must resign first. On erasure, declarations are deleted (they
only serve while one sits on the board); the public record stays (past seats, roll calls,
attendance, suspensions ordered by decisions of the register), now showing the pseudonym,
and the published minutes stay exactly as published.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import RuleSet
from core.privacy import (
    ORDER_GOVERNANCE,
    Blocker,
    Collected,
    ErasureContext,
    Kept,
    PrivacyPart,
    register_privacy_part,
)
from governance.models import (
    Attendance,
    CommitteeMembership,
    ConflictDeclaration,
    ConsentVote,
    SeatHolding,
    Suspension,
    Vote,
)


def export_governance(*, user: Any) -> dict[str, Any]:
    return {
        "board_seats": [
            {
                "seat": h.seat.number,
                "cohort": h.seat.cohort.code,
                "source": h.source,
                "employer": h.employer_name,
                "term_start": h.term_start,
                "term_end": h.term_end,
                "starts_at": h.starts_at,
                "ends_at": h.ends_at,
                "end_reason": h.end_reason,
                "end_note": h.end_note,
            }
            for h in SeatHolding.objects.filter(person=user)
            .select_related("seat__cohort")
            .order_by("starts_at")
        ],
        "committees": [
            {
                "committee": m.committee.name,
                "chair": m.is_chair,
                "starts_at": m.starts_at,
                "ends_at": m.ends_at,
                "term_end": m.term_end,
            }
            for m in CommitteeMembership.objects.filter(person=user)
            .select_related("committee")
            .order_by("starts_at")
        ],
        "conflict_declarations": [
            {"filed_at": d.filed_at, "interests": d.interests}
            for d in ConflictDeclaration.objects.filter(person=user).order_by("filed_at")
        ],
        "board_votes": [
            {
                "decision": v.decision.reference,
                "title": v.decision.title,
                "decided_at": v.decision.decided_at,
                "vote": v.choice,
                "conflict_note": v.conflict_note,
            }
            for v in Vote.objects.filter(director=user)
            .select_related("decision")
            .order_by("decision__number")
        ],
        "written_consent_votes": [
            {
                "consent": v.consent.title,
                "deadline": v.consent.deadline,
                "vote": v.choice,
                "at": v.confirmed_at,
            }
            for v in ConsentVote.objects.filter(director=user)
            .select_related("consent")
            .order_by("confirmed_at")
        ],
        "meetings_attended": [
            {"meeting": a.meeting.title, "at": a.meeting.scheduled_at, "status": a.status, "note": a.note}
            for a in Attendance.objects.filter(person=user)
            .select_related("meeting")
            .order_by("meeting__scheduled_at")
        ],
        "suspensions": [
            {
                "membership": s.membership.number,
                "decision": s.decision.reference,
                "reason": s.reason,
                "notice_date": s.notice_date,
                "effective_at": s.effective_at,
                "status": s.status,
                "lifted_at": s.lifted_at,
            }
            for s in Suspension.objects.filter(membership__user=user)
            .select_related("membership", "decision")
            .order_by("ordered_at")
        ],
    }


def governance_blockers(*, user: Any) -> list[Blocker]:
    blockers = [
        Blocker(
            "sitting_director",
            _("You sit on the board (%(seat)s): resign first; the secretary records the vacancy.")
            % {"seat": holding.seat},
        )
        for holding in SeatHolding.objects.active().filter(person=user).select_related("seat")
    ]
    blockers.extend(
        Blocker(
            "committee_member",
            _("You sit on the %(committee)s: the board must end your membership of it first.")
            % {"committee": membership.committee.name},
        )
        for membership in CommitteeMembership.objects.active().filter(person=user).select_related("committee")
    )
    return blockers


def erase_governance(context: ErasureContext) -> dict[str, int]:
    declarations, _detail = ConflictDeclaration.objects.filter(person=context.user).delete()
    return {
        "conflict_declarations_deleted": declarations,
        "board_seats_kept": SeatHolding.objects.filter(person=context.user).count(),
        "board_votes_kept": Vote.objects.filter(director=context.user).count(),
        "written_consent_votes_kept": ConsentVote.objects.filter(director=context.user).count(),
    }


def kept_governance(rules: RuleSet) -> list[Kept]:
    return [
        Kept(
            gettext_lazy("Board seats you held, your votes in the board's decisions, meetings you attended"),
            gettext_lazy(
                "They are the foundation's public record (board history, the decisions register); "
                "they show the pseudonym instead of your name."
            ),
        ),
        Kept(
            gettext_lazy("Published minutes, exactly as published (they may name you)"),
            gettext_lazy(
                "Minutes are the board's public record: a published version is never changed, and its "
                "hash is in the audit chain."
            ),
        ),
        Kept(
            gettext_lazy("Suspensions of your membership and the decisions behind them"),
            gettext_lazy("Decisions of the register are part of the public record."),
        ),
    ]


PART = PrivacyPart(
    key="governance",
    label=gettext_lazy("Board and committees"),
    order=ORDER_GOVERNANCE,
    position=40,
    collected=(
        Collected(
            gettext_lazy("Board seats you hold or held, with the employer you declared"),
            gettext_lazy(
                "The bylaws make the board's composition public (and limit directors per employer)."
            ),
            gettext_lazy("Everyone."),
        ),
        Collected(
            gettext_lazy("Your votes in the board's decisions, recusals, and meetings you attended"),
            gettext_lazy("Decisions record how each director voted and whether quorum was present."),
            gettext_lazy("Everyone, once the decision or the minutes are published."),
        ),
        Collected(
            gettext_lazy("Committees you sit on"),
            gettext_lazy("Committee membership grants the roles that run the foundation."),
            gettext_lazy("Everyone."),
        ),
        Collected(
            gettext_lazy("Your conflict-of-interest declarations"),
            gettext_lazy("Directors declare their interests every year."),
            gettext_lazy("The board."),
        ),
    ),
    export=export_governance,
    erase=erase_governance,
    blockers=governance_blockers,
    kept=kept_governance,
)


def register() -> None:
    register_privacy_part(PART)
