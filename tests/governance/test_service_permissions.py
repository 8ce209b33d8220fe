"""Every governance service acting for a person checks that person itself.

A view guards its page, but a service must not trust its caller: a plain member who
reaches a service (another view, a script, the API) gets ``NotAllowed`` and nothing
changes. ``actor=None`` is the system (the schedule, the membership hook, seeding) and
stays allowed where it always was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from core.errors import NotAllowed
from core.models import AuditEntry, Role
from core.rules import rules_in_force
from governance.models import (
    AttendanceStatus,
    ChangeRecord,
    Cohort,
    CommitteeKind,
    ConflictDeclaration,
    DecisionKind,
    HoldingEnd,
    Minutes,
    Seat,
    SeatHolding,
    VoteChoice,
)
from governance.services.board import (
    board_ensure_required_seats,
    board_found,
    board_on_organisation_left,
    cohort_schedule_election,
    cohort_start_new_term,
    director_employer_declare,
    director_employment_end,
    officer_appoint,
    seat_abolish,
    seat_create,
    seat_fill,
    seat_vacate,
)
from governance.services.committees import (
    committee_create,
    committee_member_add,
    committee_member_end,
    conflict_declaration_file,
)
from governance.services.decisions import decision_record, policy_create, policy_version_propose
from governance.services.meetings import (
    agenda_item_add,
    attendance_record,
    meeting_create,
    minutes_correct,
    minutes_draft,
    minutes_publish,
)
from members.models import Membership
from members.services.transitions import membership_end, membership_start_term
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(clock: Any) -> Any:
    """A plain member: signed in, paying, holding no role."""
    return make_member().user


def refused(call: Callable[[], Any]) -> NotAllowed:
    """``call`` raises ``NotAllowed`` and leaves no audit entry or public change behind."""
    audited, changes = AuditEntry.objects.count(), ChangeRecord.objects.count()
    with pytest.raises(NotAllowed) as exc:
        call()
    assert (AuditEntry.objects.count(), ChangeRecord.objects.count()) == (audited, changes)
    return exc.value


# --- The board -------------------------------------------------------------------------


def test_a_member_cannot_found_the_board(member):
    refused(lambda: board_found(seats=rules_in_force().board_min_size, actor=member))
    assert not Seat.objects.exists()


def test_a_member_cannot_create_the_required_seats(member):
    refused(lambda: board_ensure_required_seats(actor=member))
    assert not Seat.objects.exists()


def test_a_member_cannot_fill_a_seat(board, member):
    seat = board.seats(1)[0]
    refused(
        lambda: seat_fill(
            seat=seat, person=member, employer=None, independent=True, source="appointment", actor=member
        )
    )
    assert not SeatHolding.objects.exists()


def test_a_member_cannot_fill_a_seat_as_if_by_election(board, member):
    seat = board.seats(1)[0]
    refused(
        lambda: seat_fill(
            seat=seat, person=member, employer=None, independent=True, source="election", actor=member
        )
    )
    assert not SeatHolding.objects.exists()


def test_the_election_committee_chair_seats_the_elected_but_appoints_no_one(board):
    seats = board.seats(2)
    chair = RoleFactory(role=Role.ELECTION_COMMITTEE_CHAIR).user
    holding = seat_fill(
        seat=seats[0], person=UserFactory(), employer=None, independent=True, source="election", actor=chair
    )
    assert holding.source == "election"
    refused(
        lambda: seat_fill(
            seat=seats[1],
            person=UserFactory(),
            employer=None,
            independent=True,
            source="founding",
            actor=chair,
        )
    )


def test_a_member_cannot_vacate_a_seat(board, member):
    holding = seat_fill(seat=board.seats(1)[0], person=UserFactory(), employer=None, independent=True)
    refused(lambda: seat_vacate(holding=holding, reason=HoldingEnd.REMOVED, actor=member))
    holding.refresh_from_db()
    assert holding.ends_at is None


def test_a_member_cannot_vacate_a_sponsors_seats(board, member):
    org = OrganisationFactory()
    holding = seat_fill(seat=board.seats(1)[0], person=UserFactory(), employer=org)
    refused(lambda: board_on_organisation_left(organisation=org, actor=member))
    holding.refresh_from_db()
    assert holding.ends_at is None


def test_a_member_cannot_end_a_directors_employment(board, member):
    org = OrganisationFactory()
    person = UserFactory()
    seat_fill(seat=board.seats(1)[0], person=person, employer=org)
    refused(lambda: director_employment_end(person=person, organisation=org, actor=member))
    assert SeatHolding.objects.active().filter(person=person).exists()


def test_only_the_director_declares_their_employer(board, member):
    holding = seat_fill(seat=board.seats(1)[0], person=UserFactory(), employer=None, independent=True)
    org = OrganisationFactory(legal_name="New Employer")
    refused(lambda: director_employer_declare(holding=holding, employer=org, actor=member))
    declared = director_employer_declare(holding=holding, employer=org, actor=holding.person)
    assert declared.employer_name == "New Employer"


def test_a_member_cannot_add_a_seat(board, member):
    board.directors(3)
    decision = board.decide(kind=DecisionKind.BOARD_SIZE_CHANGE)
    seats = Seat.objects.count()
    refused(lambda: seat_create(decision=decision, actor=member))
    assert Seat.objects.count() == seats


def test_a_member_cannot_abolish_a_seat(board, member):
    board.directors(rules_in_force().board_min_size)
    decision = board.decide(kind=DecisionKind.BOARD_SIZE_CHANGE)
    extra = seat_create(decision=decision)
    refused(lambda: seat_abolish(seat=extra, decision=decision, actor=member))
    extra.refresh_from_db()
    assert extra.abolished_at is None


def test_a_member_cannot_start_a_cohorts_term(board, member, clock):
    seat = board.seats(1)[0]
    seat_fill(seat=seat, person=UserFactory(), employer=None, independent=True)
    cohort = Cohort.objects.get(pk=seat.cohort_id)
    clock.set(dt.datetime.combine(cohort.term_end, dt.time(12), tzinfo=dt.UTC))
    refused(lambda: cohort_start_new_term(cohort=cohort, actor=member))
    assert SeatHolding.objects.active().filter(seat=seat).exists()
    chair = RoleFactory(role=Role.ELECTION_COMMITTEE_CHAIR).user
    assert cohort_start_new_term(cohort=cohort, actor=chair).term_start == cohort.term_end


def test_a_member_cannot_schedule_a_cohorts_election(board, member, clock):
    board.seats(4)
    cohort = Cohort.objects.get(code="B")
    refused(
        lambda: cohort_schedule_election(cohort=cohort, at=clock.now() + dt.timedelta(days=10), actor=member)
    )
    cohort.refresh_from_db()
    assert cohort.next_election_at is None


def test_a_member_cannot_appoint_an_officer(board, member):
    refused(lambda: officer_appoint(person=member, role=Role.TREASURER, actor=member))
    assert not member.role_assignments.exists()


# --- Committees and declarations -------------------------------------------------------


def test_a_member_cannot_create_a_committee(member):
    refused(lambda: committee_create(slug="mc", name="Membership committee", kind="membership", actor=member))


def test_a_member_cannot_join_a_committee(member):
    committee = committee_create(slug="mc", name="Membership committee", kind=CommitteeKind.MEMBERSHIP)
    refused(lambda: committee_member_add(committee=committee, person=member, actor=member))
    assert not committee.memberships.exists()


def test_a_member_cannot_end_a_committee_membership(member):
    committee = committee_create(slug="mc", name="Membership committee", kind=CommitteeKind.MEMBERSHIP)
    membership = committee_member_add(committee=committee, person=UserFactory())
    refused(lambda: committee_member_end(membership=membership, actor=member))
    membership.refresh_from_db()
    assert membership.ends_at is None


def test_a_member_cannot_file_a_conflict_declaration(board, member):
    refused(lambda: conflict_declaration_file(person=member, interests="None", actor=member))
    assert not ConflictDeclaration.objects.exists()


def test_a_director_files_only_their_own_declaration(board):
    me, other = board.directors(2)
    refused(lambda: conflict_declaration_file(person=other, interests="None", actor=me))
    assert conflict_declaration_file(person=me, interests="None", actor=me).person == me


# --- Meetings and minutes --------------------------------------------------------------


def test_a_member_cannot_call_a_meeting(board, member, clock):
    refused(
        lambda: meeting_create(kind="regular", title="Board meeting", scheduled_at=clock.now(), actor=member)
    )


def test_a_director_cannot_call_a_meeting(board, clock):
    director = board.directors(1)[0]
    refused(
        lambda: meeting_create(
            kind="regular", title="Board meeting", scheduled_at=clock.now(), actor=director
        )
    )


def test_a_member_cannot_add_to_the_agenda(board, member):
    board.directors(1)
    meeting = board.meeting()
    items = meeting.agenda_items.count()
    refused(lambda: agenda_item_add(meeting=meeting, title="Any other business", actor=member))
    assert meeting.agenda_items.count() == items


def test_a_member_cannot_record_attendance(board, member):
    directors = board.directors(2)
    meeting = board.meeting()
    entries = [(p, AttendanceStatus.ABSENT, "") for p in directors]
    refused(lambda: attendance_record(meeting=meeting, entries=entries, actor=member))
    assert meeting.attendance.filter(status=AttendanceStatus.PRESENT).count() == 2


def test_a_member_cannot_record_a_decision(board, member):
    directors = board.directors(2)
    meeting = board.meeting()
    votes = [(p, VoteChoice.YES, "") for p in directors]
    refused(lambda: decision_record(meeting=meeting, title="R", text="Resolved.", votes=votes, actor=member))
    assert not meeting.decisions.exists()


def test_a_member_cannot_draft_minutes(board, member):
    board.directors(1)
    meeting = board.meeting()
    refused(lambda: minutes_draft(meeting=meeting, body_md="# Minutes", actor=member))
    assert not Minutes.objects.filter(meeting=meeting).exists()


@pytest.fixture
def approved(board, clock):
    board.directors(3)
    minutes = minutes_draft(
        meeting=board.meeting(title="January"), body_md="# Minutes", actor=board.secretary()
    )
    clock.advance(days=30)
    board.decide(meeting=board.meeting(title="February"), approves_minutes=minutes)
    minutes.refresh_from_db()
    return minutes


def test_a_member_cannot_publish_minutes(approved, member):
    refused(lambda: minutes_publish(minutes=approved, actor=member))
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_a_director_cannot_publish_minutes(approved, board):
    director = SeatHolding.objects.active().first().person
    refused(lambda: minutes_publish(minutes=approved, actor=director))


def test_a_member_cannot_correct_minutes(approved, board, member):
    minutes_publish(minutes=approved, actor=board.secretary())
    refused(lambda: minutes_correct(minutes=approved, body_md="# Other", reason="Typo", actor=member))
    approved.refresh_from_db()
    assert approved.current_version == 1


# --- Policies --------------------------------------------------------------------------


def test_a_member_cannot_create_a_policy(member):
    refused(lambda: policy_create(slug="coi", title="Conflict of interest", actor=member))


def test_a_member_cannot_propose_a_policy_text(board, member):
    policy = policy_create(slug="coi", title="Conflict of interest", actor=board.secretary())
    refused(lambda: policy_version_propose(policy=policy, body_md="Declare.", actor=member))
    assert not policy.versions.exists()


# --- The system ------------------------------------------------------------------------


def test_the_membership_hook_follows_a_transition_by_anyone(clock, member):
    """Seats follow sponsors by the bylaws: whoever moved the membership, the board follows."""
    org = OrganisationFactory()
    membership = Membership.objects.create(organisation=org, class_code="platinum")
    membership_start_term(membership=membership, actor=member)
    seat = Seat.objects.order_by("pk").first()
    assert seat is not None
    holding = seat_fill(seat=seat, person=UserFactory(), employer=org)
    membership_end(membership=membership, actor=member, reason="left")
    holding.refresh_from_db()
    assert holding.end_reason == HoldingEnd.ORGANISATION_LEFT
