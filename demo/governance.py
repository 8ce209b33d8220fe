"""Demo data for governance: a board of eight, committees, a year of meetings and a policy.

``seed_governance`` is idempotent: each part checks whether it exists before writing,
and everything is written through the services (with the clock moved back in time),
so the audit chain and the public change history are the real thing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from allauth.account.models import EmailAddress

from core import clock
from core.models import Role, RoleAssignment, User
from demo.members import SUSPENDED_MEMBERS, demo_group
from governance.models import (
    AttendanceStatus,
    Cohort,
    Committee,
    CommitteeKind,
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
    Minutes,
    MinutesStatus,
    Outcome,
    Policy,
    Seat,
    SeatHolding,
    Suspension,
    VoteChoice,
    WrittenConsent,
)
from governance.services.board import board_found, cohort_start_new_term, officer_appoint, seat_fill
from governance.services.committees import committee_create, committee_member_add, conflict_declaration_file
from governance.services.consents import written_consent_propose, written_consent_vote
from governance.services.decisions import decision_record, policy_create, policy_version_propose
from governance.services.meetings import (
    attendance_record,
    directors_at,
    meeting_create,
    minutes_correct,
    minutes_draft,
    minutes_publish,
)
from governance.services.suspensions import membership_suspend, suspensions_apply_due
from members.models import Membership, Organisation
from members.selectors import group_of_organisation

DOMAIN = "demo.charter.invalid"
MEETING_TITLE = "Monthly board meeting"
IN_KIND_DECISION = "Accept staff time as a sponsor's dues in kind"
SUSPENSION_DECISION = "Suspend members for repeated violations of the code of conduct"
DIRECTORS = [
    ("chair", "Amara Okafor"),
    ("secretary", "Lukas Brandt"),
    ("treasurer", "Mei Tanaka"),
    ("director4", "Sofia Rossi"),
    ("director5", "Daniel Cohen"),
    ("director6", "Priya Raman"),
    ("director7", "Jonas Lindqvist"),
    ("director8", "Fatima Haddad"),
]
COI_POLICY_V1 = """# Conflict of interest policy

Directors declare their interests every year.

A director with a conflict of interest on a matter recuses from the vote.
"""
COI_POLICY_V2 = """# Conflict of interest policy

Directors declare their interests every year, and whenever they change.

A director with a conflict of interest on a matter recuses from the discussion and the vote.

The secretary records every recusal in the minutes.
"""


def _user(local: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=f"{local}@{DOMAIN}", defaults={"full_name": name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return user


def _employers(count: int) -> list[Organisation | None]:
    """Existing member organisations from distinct corporate groups, else fictional ones."""
    chosen: list[Organisation | None] = []
    keys: set[str] = set()
    for org in Organisation.objects.filter(memberships__isnull=False).order_by("legal_name"):
        key = group_of_organisation(org).key
        if key not in keys and len(chosen) < count:
            keys.add(key)
            chosen.append(org)
    fictional = ["Northwind Systems", "Blue Fjord Cloud", "Kestrel Hardware"]
    for name in fictional:
        if len(chosen) >= count:
            break
        slug = "demo-" + name.lower().replace(" ", "-")
        org = Organisation.objects.filter(slug=slug).first() or Organisation.objects.create(
            slug=slug, legal_name=name, corporate_group=demo_group(name)
        )
        key = group_of_organisation(org).key
        if key not in keys:
            keys.add(key)
            chosen.append(org)
    return chosen


def _seed_board(start: dt.datetime, out: TextIO) -> list[User]:
    people = [_user(local, name) for local, name in DIRECTORS]
    if SeatHolding.objects.exists():
        out.write("governance: board exists, skipped\n")
        return people
    with clock.travel(start):
        board_found(seats=len(people))
        employers = _employers(3)
        seats = list(Seat.objects.filter(abolished_at__isnull=True).order_by("number"))
        for i, (seat, person) in enumerate(zip(seats, people, strict=False)):
            employer = employers[i - 3] if 3 <= i < 3 + len(employers) else None
            seat_fill(
                seat=seat, person=person, employer=employer, independent=employer is None, source="founding"
            )
    with clock.travel(start + dt.timedelta(minutes=5)):
        for person, role in (
            (people[0], Role.CHAIR),
            (people[1], Role.SECRETARY),
            (people[2], Role.TREASURER),
        ):
            # The members demo may already have given the persona its office.
            if not RoleAssignment.objects.filter(user=person, role=role).exists():
                officer_appoint(person=person, role=role)
    out.write(f"governance: board of {len(people)} seated, officers appointed\n")
    return people


def _seed_committees(start: dt.datetime, out: TextIO) -> None:
    if Committee.objects.exists():
        out.write("governance: committees exist, skipped\n")
        return
    with clock.travel(start + dt.timedelta(minutes=10)):
        membership = committee_create(
            slug="membership-committee",
            name="Membership committee",
            kind=CommitteeKind.MEMBERSHIP,
            description="Approves applications and renewals.",
        )
        committee_member_add(committee=membership, person=_user("committee", "Noor Valdés"), is_chair=True)
        committee_member_add(committee=membership, person=_user("committee2", "Henrik Aalto"))
        election = committee_create(
            slug="election-committee",
            name="Election committee",
            kind=CommitteeKind.ELECTION,
            description="Runs board elections; its members cannot stand.",
        )
        committee_member_add(committee=election, person=_user("election-chair", "Grace Mbeki"), is_chair=True)
        committee_member_add(committee=election, person=_user("election-committee", "Tomás Ibarra"))
    out.write("governance: membership and election committees created\n")


def _roll(
    directors: list[User], *, absent: set[int], special: dict[int, tuple[str, str]] | None = None
) -> Any:
    special = special or {}
    return [
        (p, *special.get(i, (VoteChoice.ABSENT if i in absent else VoteChoice.YES, "")))
        for i, p in enumerate(directors)
    ]


def _hold_due_elections(at: dt.datetime, chair: User) -> None:
    """A cohort whose term ended is re-elected (the incumbents stand again and win)."""
    for cohort in Cohort.objects.filter(term_end__lte=at.date()).order_by("code"):
        holders = [
            (h.seat, h.person, h.employer or h.employer_group, h.independent)
            for h in SeatHolding.objects.active(at)
            .filter(seat__cohort=cohort)
            .select_related("seat", "person", "employer", "employer_group")
        ]
        cohort_start_new_term(cohort=cohort)
        for seat, person, employer, independent in holders:
            seat_fill(seat=seat, person=person, employer=employer, independent=independent, source="election")
    if not RoleAssignment.objects.active(at).filter(role=Role.CHAIR).exists():
        officer_appoint(person=chair, role=Role.CHAIR)


def _seed_meetings(start: dt.datetime, directors: list[User], out: TextIO) -> None:
    if Meeting.objects.filter(title__startswith=MEETING_TITLE).exists():
        out.write("governance: meetings exist, skipped\n")
        return
    secretary = directors[1]
    with clock.travel(start + dt.timedelta(minutes=15)):
        policy = Policy.objects.filter(slug="conflict-of-interest").first() or policy_create(
            slug="conflict-of-interest",
            title="Conflict of interest policy",
            summary="How directors declare interests and recuse.",
            actor=secretary,
        )
        v1 = policy_version_propose(
            policy=policy, body_md=COI_POLICY_V1, change_note="First version", actor=secretary
        )
    previous: Minutes | None = None
    for month in range(1, 13):
        at = (start + dt.timedelta(days=30 * month)).replace(hour=17, minute=0, second=0, microsecond=0)
        with clock.travel(at - dt.timedelta(hours=1)):
            _hold_due_elections(at - dt.timedelta(hours=1), directors[0])
        with clock.travel(at):
            meeting = meeting_create(
                kind=MeetingKind.REGULAR,
                title=f"{MEETING_TITLE} {at:%B %Y}",
                scheduled_at=at,
                location="Video call",
                agenda=[("Approval of the previous minutes", ""), ("Reports", ""), ("Resolutions", "")],
                actor=directors[0],
                notify=False,
            )
            absent = {7} if month % 4 == 0 else set()
            attendance_record(
                meeting=meeting,
                entries=[
                    (p, AttendanceStatus.ABSENT if i in absent else AttendanceStatus.PRESENT, "")
                    for i, p in enumerate(directors)
                ],
                actor=secretary,
            )
            if previous is not None:
                decision_record(
                    meeting=meeting,
                    title=f"Approve minutes no. {previous.number}",
                    text=f"The board approves minutes no. {previous.number} as circulated.",
                    votes=_roll(directors, absent=absent),
                    approves_minutes=previous,
                    actor=secretary,
                )
            if month == 1:
                decision_record(
                    meeting=meeting,
                    title="Adopt the conflict of interest policy",
                    text="The board adopts the conflict of interest policy, version 1.",
                    votes=_roll(directors, absent=absent),
                    adopts_policy_version=v1,
                    actor=secretary,
                )
            if month == 3:
                decision_record(
                    meeting=meeting,
                    title="Accept a hardware donation for the build farm",
                    text="The board accepts forty build servers donated by a member organisation.",
                    votes=_roll(
                        directors, absent=absent, special={3: (VoteChoice.RECUSED, "Employed by the donor")}
                    ),
                    actor=secretary,
                )
            if month == 6:
                decision_record(
                    meeting=meeting,
                    title="Amend the bylaws on electronic meetings",
                    text="Article 5 is amended to allow board meetings by video call.",
                    kind=DecisionKind.BYLAWS_AMENDMENT,
                    votes=_roll(
                        directors,
                        absent=absent,
                        special={6: (VoteChoice.NO, ""), 7: (VoteChoice.ABSTAIN, "")},
                    ),
                    actor=secretary,
                )
            if month == 9:
                v2 = policy_version_propose(
                    policy=policy,
                    body_md=COI_POLICY_V2,
                    change_note="Recusal from discussion",
                    actor=secretary,
                )
                decision_record(
                    meeting=meeting,
                    title="Amend the conflict of interest policy",
                    text="The board adopts version 2 of the conflict of interest policy.",
                    votes=_roll(directors, absent=absent, special={5: (VoteChoice.NO, "")}),
                    adopts_policy_version=v2,
                    actor=secretary,
                )
            if month == 3:
                first = Minutes.objects.filter(status=MinutesStatus.PUBLISHED).order_by("number").first()
                if first is not None:
                    corrected = first.versions.get(version=first.current_version).body_md.replace(
                        "Reports\n", "Reports\n\nThe meeting opened at 17:00.\n"
                    )
                    minutes_correct(
                        minutes=first, body_md=corrected, reason="Opening time was missing", actor=secretary
                    )
            if month == 9:
                decision_record(
                    meeting=meeting,
                    title=IN_KIND_DECISION,
                    text="The board accepts two release engineers, half time for twelve months, as a sponsor's dues.",
                    votes=_roll(directors, absent=absent),
                    actor=secretary,
                )
            if month == 12:
                decision_record(
                    meeting=meeting,
                    title=SUSPENSION_DECISION,
                    text="After notice and a hearing, the board suspends the members named in the annex.",
                    votes=_roll(directors, absent=absent),
                    actor=secretary,
                )
            if month == 11:  # this year's declarations; one is missing, as the board page shows
                for person in directors[:-1]:
                    conflict_declaration_file(
                        person=person, interests="Employment as declared; no other interests."
                    )
            if previous is not None:
                previous.refresh_from_db()
                if previous.status == MinutesStatus.APPROVED:
                    minutes_publish(minutes=previous, actor=secretary)
            previous = minutes_draft(
                meeting=meeting,
                body_md=(
                    f"## Attendance\n\n{8 - len(absent)} of 8 directors present; quorum present.\n\n"
                    "## Antitrust statement\n\nThe chair read the antitrust statement.\n\n"
                    "## Reports\n\n- Treasurer: finances on budget.\n- Infrastructure: mirrors healthy.\n"
                ),
                actor=secretary,
            )
    out.write("governance: twelve monthly meetings with minutes and decisions recorded\n")


def _seed_suspensions(out: TextIO) -> None:
    """The members demo's code-of-conduct cases, suspended by the board's decision (with notice)."""
    if Suspension.objects.exists():
        out.write("governance: suspensions exist, skipped\n")
        return
    decision = Decision.objects.filter(title=SUSPENSION_DECISION, outcome=Outcome.ADOPTED).first()
    secretary = User.objects.filter(email=f"secretary@{DOMAIN}").first()
    members = list(Membership.objects.filter(user__email__in=SUSPENDED_MEMBERS).order_by("number"))
    if decision is None or secretary is None or not members:
        out.write("governance: no suspension decision or members; suspensions skipped\n")
        return
    with clock.travel(decision.decided_at + dt.timedelta(hours=1)):
        for membership in members:
            membership_suspend(
                actor=secretary,
                membership=membership,
                decision=decision,
                notice_date=clock.today(),
                reason="Repeated violations of the code of conduct",
            )
    suspensions_apply_due(at=clock.now())
    out.write(f"governance: {len(members)} members suspended by {decision.reference}\n")


def _seed_written_consent(directors: list[User], out: TextIO) -> None:
    """One written consent open for the directors' votes (one has voted), on their dashboards."""
    if WrittenConsent.objects.exists():
        out.write("governance: a written consent exists, skipped\n")
        return
    secretary = directors[1]
    consent = written_consent_propose(
        title="Renew the mirror network's hosting contract",
        text="The board renews the hosting contract of the mirror network for one year, at the same price.",
        deadline=clock.now() + dt.timedelta(days=10),
        actor=secretary,
    )
    in_office = [d for pk, d in sorted(directors_at(clock.now()).items()) if pk != secretary.pk]
    if in_office:
        written_consent_vote(consent=consent, choice="yes", actor=in_office[0])
    out.write("governance: a written consent open for the directors' votes until its deadline\n")


def seed_governance(*, stdout: TextIO) -> None:
    """Create the governance demo data; safe to run again."""
    start = (clock.now() - dt.timedelta(days=395)).replace(hour=9, minute=0, second=0, microsecond=0)
    directors = _seed_board(start, stdout)
    _seed_committees(start, stdout)
    _seed_meetings(start, directors, stdout)
    _seed_suspensions(stdout)
    _seed_written_consent(directors, stdout)
