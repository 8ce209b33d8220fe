"""The board's composition rules, one by one, enforced by the services and explained."""

from __future__ import annotations

import datetime as dt

import pytest

from core import clock as core_clock
from core.access import has_role
from core.errors import Conflict, ValidationFailed
from core.models import AuditEntry, Role, RoleAssignment
from core.rules import rules_in_force
from governance.models import Cohort, DecisionKind, HoldingEnd, Seat, SeatHolding
from governance.services.board import (
    board_ensure_required_seats,
    board_on_organisation_left,
    board_required_seats,
    cohort_schedule_election,
    cohort_start_new_term,
    director_employer_declare,
    director_employment_end,
    group_directors_in_office,
    next_election_at,
    officer_appoint,
    seat_abolish,
    seat_create,
    seat_fill,
    seat_vacate,
)
from members.selectors import group_of_organisation
from members.services.transitions import membership_transition
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def platinum_code() -> str:
    """The class with board seats per member in the rule set in force (no class names in code)."""
    return rules_in_force().membership_classes.filter(board_seats_per_member__gt=0).first().code


def sponsor(**kwargs: object):
    org = OrganisationFactory(**kwargs)
    make_member(organisation=org, class_code=platinum_code())
    return org


# --- Size and the seats Platinum members require ---------------------------------------


def test_a_platinum_member_gets_its_required_seats_created_vacant(clock):
    before = set(Seat.objects.values_list("pk", flat=True))
    sponsor()  # the membership becoming active creates the seats (transition service)
    created = list(Seat.objects.exclude(pk__in=before))
    assert (
        len(created) == rules_in_force().membership_classes.get(code=platinum_code()).board_seats_per_member
    )
    assert all(s.vacant_since is not None for s in created)
    assert board_ensure_required_seats() == []  # idempotent


def test_required_seats_go_to_the_emptiest_cohorts(board):
    board.seats(4)  # A, B, C, D
    Seat.objects.create(number=5, cohort=Cohort.objects.get(code="A"))
    before = set(Seat.objects.values_list("pk", flat=True))
    sponsor()
    sponsor()
    sponsor()  # six seats required; five exist: admission creates the missing one
    created = list(Seat.objects.exclude(pk__in=before))
    assert [s.cohort.code for s in created] == ["B"]


def test_new_seats_keep_cohorts_balanced(clock):
    for _i in range(2):
        sponsor()
    board_ensure_required_seats()
    counts = sorted(Seat.objects.values_list("cohort__code", flat=True))
    assert counts == ["A", "B", "C", "D"]


def test_ensuring_required_seats_twice_creates_nothing_more(clock):
    sponsor()
    board_ensure_required_seats()
    assert board_ensure_required_seats() == []


def test_required_seats_never_exceed_the_maximum(clock):
    for _i in range(8):
        sponsor()
    board_ensure_required_seats()
    assert Seat.objects.count() == rules_in_force().board_max_size


def test_a_lapsed_platinum_member_requires_no_seats(clock):
    org = sponsor()
    seats = Seat.objects.count()
    membership_transition(membership=org.memberships.get(), to_state="lapsed", kind="lapsed")
    assert board_required_seats() == rules_in_force().board_min_size
    assert board_ensure_required_seats() == []  # existing seats stay until the board abolishes them
    assert Seat.objects.count() == seats


def test_the_board_cannot_grow_past_the_maximum(board):
    board.directors(rules_in_force().board_max_size)
    decision = board.decide(kind=DecisionKind.BOARD_SIZE_CHANGE)
    with pytest.raises(Conflict) as exc:
        seat_create(decision=decision)
    assert exc.value.code == "board_at_maximum"
    assert "13" in exc.value.message


def test_a_seat_is_created_by_an_adopted_size_decision(board):
    board.directors(3)
    decision = board.decide(kind=DecisionKind.BOARD_SIZE_CHANGE)
    seat = seat_create(decision=decision)
    assert seat.vacant_since is not None
    assert seat.cohort.code == "D"


def test_a_seat_needs_a_size_decision(board):
    board.directors(3)
    decision = board.decide(kind=DecisionKind.ORDINARY)
    with pytest.raises(ValidationFailed) as exc:
        seat_create(decision=decision)
    assert exc.value.code == "size_needs_decision"


def test_the_board_cannot_shrink_below_the_minimum(board):
    seats = board.seats(1)
    board.directors(1)
    decision = board.decide(kind=DecisionKind.BOARD_SIZE_CHANGE)
    with pytest.raises(Conflict) as exc:
        seat_abolish(seat=seats[0], decision=decision)
    assert exc.value.code == "board_at_minimum"


def test_the_board_cannot_shrink_below_the_platinum_seats(board):
    sponsor()
    board.directors(2)
    extra = Seat.objects.create(number=3, cohort=Cohort.objects.get(code="C"))
    decision = board.decide(kind=DecisionKind.BOARD_SIZE_CHANGE)
    seat_abolish(seat=extra, decision=decision)
    seat = Seat.objects.filter(abolished_at__isnull=True).first()
    SeatHolding.objects.filter(seat=seat).update(ends_at=decision.decided_at + dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as exc:
        seat_abolish(seat=seat, decision=decision)
    assert exc.value.code == "board_at_minimum"


def test_the_board_page_warns_below_the_normal_minimum(board, client):
    board.directors(3)
    response = client.get("/governance/board/")
    assert "fewer than the normal minimum of 7" in response.content.decode()


# --- One director per organisation or corporate group -----------------------------------


def test_a_second_director_from_the_same_organisation_is_refused(board):
    org = OrganisationFactory(legal_name="Example Corp")
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(full_name="Grace Hopper"), employer=org)
    with pytest.raises(Conflict) as exc:
        seat_fill(seat=seats[1], person=UserFactory(full_name="Ada Lovelace"), employer=org)
    assert exc.value.code == "group_has_director"
    assert (
        "Ada Lovelace cannot sit for Example Corp: its group (Example Corp) already has" in exc.value.message
    )
    assert "Grace Hopper" in exc.value.message


def test_a_director_from_the_same_corporate_group_is_refused(board):
    parent = OrganisationFactory(legal_name="Mega Holdings")
    subsidiary = OrganisationFactory(legal_name="Mega Cloud", corporate_group="Mega Holdings")
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=parent)
    with pytest.raises(Conflict) as exc:
        seat_fill(seat=seats[1], person=UserFactory(), employer=subsidiary)
    assert exc.value.code == "group_has_director"


def test_sister_companies_count_as_one_group(board):
    a = OrganisationFactory(corporate_group="Umbrella Inc")
    b = OrganisationFactory(corporate_group="  umbrella inc ")
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=a)
    with pytest.raises(Conflict):
        seat_fill(seat=seats[1], person=UserFactory(), employer=b)


def test_the_group_seat_frees_up_when_its_director_leaves(board):
    org = OrganisationFactory()
    seats = board.seats(2)
    holding = seat_fill(seat=seats[0], person=UserFactory(), employer=org)
    seat_vacate(holding=holding, reason=HoldingEnd.RESIGNED)
    assert seat_fill(seat=seats[1], person=UserFactory(), employer=org).employer == org


def test_directors_without_employer_are_not_limited(board):
    seats = board.seats(3)
    for seat in seats:
        seat_fill(seat=seat, person=UserFactory(), employer=None, independent=True)
    assert SeatHolding.objects.active().count() == 3


def test_a_person_holds_one_seat_only(board):
    seats = board.seats(2)
    person = UserFactory()
    seat_fill(seat=seats[0], person=person, employer=None, independent=True)
    with pytest.raises(Conflict) as exc:
        seat_fill(seat=seats[1], person=person, employer=None, independent=True)
    assert exc.value.code == "already_director"


def test_an_occupied_seat_cannot_be_filled(board):
    seats = board.seats(1)
    seat_fill(seat=seats[0], person=UserFactory(), employer=None, independent=True)
    with pytest.raises(Conflict) as exc:
        seat_fill(seat=seats[0], person=UserFactory(), employer=None, independent=True)
    assert exc.value.code == "seat_occupied"


# --- Term limits ---------------------------------------------------------------------


def _serve_terms(clock, seat, person, terms: int) -> None:
    """Seat ``person`` for ``terms`` consecutive full terms of the seat's cohort."""
    cohort = Cohort.objects.get(pk=seat.cohort_id)
    clock.set(dt.datetime.combine(cohort.term_start, dt.time(12), tzinfo=dt.UTC))
    for _i in range(terms):
        seat_fill(seat=seat, person=person, employer=None, independent=True)
        cohort = Cohort.objects.get(pk=seat.cohort_id)
        clock.set(dt.datetime.combine(cohort.term_end, dt.time(12), tzinfo=dt.UTC))
        cohort_start_new_term(cohort=cohort)


def test_a_third_consecutive_term_is_refused(board, clock):
    seat = board.seats(1)[0]
    person = UserFactory(full_name="Long Server")
    _serve_terms(clock, seat, person, 2)
    with pytest.raises(Conflict) as exc:
        seat_fill(seat=seat, person=person, employer=None, independent=True)
    assert exc.value.code == "term_limit"
    assert "2 consecutive terms" in exc.value.message


def test_two_terms_are_allowed(board, clock):
    seat = board.seats(1)[0]
    person = UserFactory()
    _serve_terms(clock, seat, person, 1)
    assert seat_fill(seat=seat, person=person, employer=None, independent=True).person == person


def test_within_the_gap_another_seat_is_refused_too(board, clock):
    seats = board.seats(2)
    person = UserFactory()
    _serve_terms(clock, seats[0], person, 2)
    clock.advance(days=200)
    with pytest.raises(Conflict) as exc:
        seat_fill(seat=seats[1], person=person, employer=None, independent=True)
    assert exc.value.code == "term_limit"


def test_after_the_gap_a_person_may_serve_again(board, clock):
    seats = board.seats(2)
    person = UserFactory()
    _serve_terms(clock, seats[0], person, 2)
    clock.advance(days=366)
    assert seat_fill(seat=seats[1], person=person, employer=None, independent=True).person == person


# --- Automatic vacancies ---------------------------------------------------------------


def test_a_director_loses_the_seat_when_the_sponsor_leaves(board):
    org = sponsor()
    seat = board.seats(2)[0]
    person = UserFactory()
    seat_fill(seat=seat, person=person, employer=org)
    ended = board_on_organisation_left(organisation=org)
    assert [h.end_reason for h in ended] == [HoldingEnd.ORGANISATION_LEFT]
    seat.refresh_from_db()
    assert seat.vacant_since is not None
    assert seat.vacancy_reason == str(HoldingEnd.ORGANISATION_LEFT.label)
    assert not has_role(person, Role.DIRECTOR)


def test_a_director_who_leaves_the_employer_loses_the_seat(board):
    org = OrganisationFactory()
    seat = board.seats(1)[0]
    person = UserFactory()
    seat_fill(seat=seat, person=person, employer=org)
    holding = director_employment_end(person=person, organisation=org)
    assert holding.end_reason == HoldingEnd.EMPLOYMENT_ENDED
    assert not SeatHolding.objects.active().filter(person=person).exists()


def test_leaving_another_employer_keeps_the_seat(board):
    org, other = OrganisationFactory(), OrganisationFactory()
    seat = board.seats(1)[0]
    person = UserFactory()
    seat_fill(seat=seat, person=person, employer=org)
    assert director_employment_end(person=person, organisation=other) is None
    assert SeatHolding.objects.active().filter(person=person).exists()


# --- Appointments within the vacancy window -------------------------------------------


def _election_in(days: int) -> None:
    Cohort.objects.update(next_election_at=core_clock.now() + dt.timedelta(days=days))


def test_the_board_may_appoint_when_the_election_is_near(board):
    board.directors(3)
    vacant = Seat.objects.create(
        number=4, cohort=Cohort.objects.get(code="D"), vacant_since=board.secretary().date_joined
    )
    _election_in(60)
    decision = board.decide()
    holding = seat_fill(
        seat=vacant,
        person=UserFactory(),
        employer=None,
        independent=True,
        source="appointment",
        decision=decision,
    )
    assert (holding.term_start, holding.term_end) == (vacant.cohort.term_start, vacant.cohort.term_end)
    assert holding.decision == decision


def test_the_board_may_not_appoint_when_the_election_is_far(board):
    board.directors(3)
    vacant = Seat.objects.create(number=4, cohort=Cohort.objects.get(code="D"))
    _election_in(120)
    decision = board.decide()
    with pytest.raises(Conflict) as exc:
        seat_fill(
            seat=vacant,
            person=UserFactory(),
            employer=None,
            independent=True,
            source="appointment",
            decision=decision,
        )
    assert exc.value.code == "appointment_outside_window"
    assert "3 months" in exc.value.message


def test_an_appointment_needs_an_adopted_decision(board):
    board.directors(3)
    vacant = Seat.objects.create(number=4, cohort=Cohort.objects.get(code="D"))
    _election_in(30)
    rejected = board.decide(votes=dict.fromkeys([h.person for h in SeatHolding.objects.active()], "no"))
    with pytest.raises(ValidationFailed) as exc:
        seat_fill(
            seat=vacant,
            person=UserFactory(),
            employer=None,
            independent=True,
            source="appointment",
            decision=rejected,
        )
    assert exc.value.code == "appointment_needs_decision"


# --- Officers, roles, audit ------------------------------------------------------------


def test_filling_a_seat_grants_the_director_role_and_is_audited(board):
    seat = board.seats(1)[0]
    person = UserFactory()
    seat_fill(seat=seat, person=person, employer=None, independent=True)
    assert has_role(person, Role.DIRECTOR)
    entry = AuditEntry.objects.filter(action="board.seat_filled").last()
    assert entry.data["person"] == person.audit_ref
    assert person.email not in str(entry.data)


def test_the_chair_must_be_a_director(clock):
    with pytest.raises(Conflict) as exc:
        officer_appoint(person=UserFactory(full_name="Not Director"), role=Role.CHAIR)
    assert exc.value.code == "chair_not_director"


def test_a_new_officer_ends_the_previous_holders_period(clock):
    first, second = UserFactory(), UserFactory()
    officer_appoint(person=first, role=Role.TREASURER)
    clock.advance(days=1)
    officer_appoint(person=second, role=Role.TREASURER)
    assert list(
        RoleAssignment.objects.active().filter(role=Role.TREASURER).values_list("user", flat=True)
    ) == [second.pk]


def test_the_chair_loses_the_chair_with_the_seat(board, clock):
    seat = board.seats(1)[0]
    person = UserFactory()
    holding = seat_fill(seat=seat, person=person, employer=None, independent=True)
    clock.advance(minutes=1)
    officer_appoint(person=person, role=Role.CHAIR)
    clock.advance(minutes=1)
    seat_vacate(holding=holding, reason=HoldingEnd.RESIGNED)
    assert not has_role(person, Role.CHAIR)


def test_a_new_declared_employer_is_checked_against_the_group_rule(board):
    org = OrganisationFactory(legal_name="Example Corp")
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=org)
    other = seat_fill(seat=seats[1], person=UserFactory(), employer=None, independent=True)

    with pytest.raises(Conflict) as exc:
        director_employer_declare(holding=other, employer=org)
    assert exc.value.code == "group_has_director"


def test_a_declared_employer_change_is_recorded(board):
    seat = board.seats(1)[0]
    holding = seat_fill(seat=seat, person=UserFactory(), employer=None, independent=True)
    org = OrganisationFactory(legal_name="New Employer")
    assert director_employer_declare(holding=holding, employer=org).employer_name == "New Employer"
    assert AuditEntry.objects.filter(action="board.employer_declared").exists()


def test_scheduling_an_election_opens_the_appointment_window(board, clock):
    board.seats(4)
    cohort = Cohort.objects.get(code="B")
    cohort_schedule_election(cohort=cohort, at=clock.now() + dt.timedelta(days=10))
    assert next_election_at() == clock.now() + dt.timedelta(days=10)


def test_group_counts_leave_out_the_cohort_being_elected(board):
    org = OrganisationFactory(legal_name="Example Corp")
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=org)
    assert group_directors_in_office() == {group_of_organisation(org).key: 1}
    assert group_directors_in_office(excluding_cohort=seats[0].cohort) == {}
