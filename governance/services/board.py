"""The board: seats, cohorts, holders, vacancies and officers.

Every service here takes the board lock first: the cohort rows, then the seat rows,
each in a fixed order, so concurrent changes to the board queue instead of racing
past the composition rules. Then it checks the rules (read from the rule set in
force), writes, audits and adds a line to the public change history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, NotFound, ValidationFailed
from core.models import Role, RoleAssignment, RuleSet
from core.rules import rules_in_force
from governance import permissions
from governance.models import (
    Cohort,
    Decision,
    DecisionKind,
    HoldingEnd,
    HoldingSource,
    Seat,
    SeatHolding,
)
from governance.register import check_adopted_decision
from governance.services.common import add_months, add_years, change_record, role_grant, roles_end
from governance.services.composition import (
    Employer,
    check_can_hold_seat,
    check_declared_employer,
    check_group_cap,
    consecutive_terms,
    group_directors_in_office,
)
from members.hooks import MembershipTransition
from members.models import Membership, MembershipClass, MembershipState, Organisation

OFFICER_ROLES = (Role.CHAIR, Role.SECRETARY, Role.TREASURER)
SITTING_STATES = (MembershipState.ACTIVE, MembershipState.GRACE)


def _check_manager(actor: Any) -> None:
    """A person changing the board must be its secretary or chair; ``actor=None`` is the system."""
    require(
        actor is None or permissions.can_manage_board(actor),
        _("Only the secretary or the chair changes the board."),
    )


def _lock_board() -> tuple[list[Cohort], list[Seat]]:
    cohorts = list(Cohort.objects.select_for_update().order_by("code"))
    seats = list(Seat.objects.select_for_update().order_by("number"))
    return cohorts, seats


def _day(value: dt.date | dt.datetime | None) -> str:
    return date_format(value, "Y-m-d") if value else "?"


def _ensure_cohorts(rules: RuleSet, at: dt.datetime, existing: list[Cohort]) -> list[Cohort]:
    """Create the rule set's cohorts that do not exist yet, with staggered terms."""
    known = {c.code for c in existing}
    year_start = dt.date(at.year, 1, 1)
    for index, code in enumerate(rules.cohorts):
        if code in known:
            continue
        end = add_years(year_start, index + 1)
        Cohort.objects.create(code=code, term_start=add_years(end, -rules.board_term_years), term_end=end)
    return list(Cohort.objects.select_for_update().filter(code__in=rules.cohorts).order_by("code"))


def board_required_seats(*, rules: RuleSet | None = None) -> int:
    """Seats the bylaws require now: per-member seats of sitting sponsor classes, within the size limits."""
    rules = rules or rules_in_force()
    per_member = dict(
        MembershipClass.objects.filter(rule_set=rules, board_seats_per_member__gt=0).values_list(
            "code", "board_seats_per_member"
        )
    )
    codes = Membership.objects.filter(
        organisation__isnull=False, class_code__in=per_member, state__in=SITTING_STATES
    ).values_list("class_code", flat=True)
    required = sum(per_member[code] for code in codes)
    return min(max(required, rules.board_min_size), rules.board_max_size)


def board_ensure_required_seats(*, actor: Any = None) -> list[Seat]:
    """Create the seats the sponsor classes require, vacant, in the emptiest cohorts.

    Idempotent: it creates only what is missing, never more than the board's maximum.
    (The membership hook does the same after a sponsor's membership becomes active.)
    """
    _check_manager(actor)
    return _ensure_required_seats(actor=actor)


def _ensure_required_seats(*, actor: Any) -> list[Seat]:
    at = clock.now()
    rules = rules_in_force(at=at)
    with transaction.atomic():
        cohorts, seats = _lock_board()
        cohorts = _ensure_cohorts(rules, at, cohorts)
        live = [s for s in seats if s.abolished_at is None]
        required = board_required_seats(rules=rules)
        missing = max(0, min(required, rules.board_max_size) - len(live))
        per_cohort = {c.pk: 0 for c in cohorts}
        for seat in live:
            per_cohort[seat.cohort_id] = per_cohort.get(seat.cohort_id, 0) + 1
        next_number = max((s.number for s in seats), default=0) + 1
        created: list[Seat] = []
        for _i in range(missing):
            cohort = min(cohorts, key=lambda c: (per_cohort[c.pk], c.code))
            seat = Seat.objects.create(
                number=next_number,
                cohort=cohort,
                created_at=at,
                created_reason=_("Required by the seats per sponsor member in the rule set"),
                vacant_since=at,
                vacancy_reason=_("New seat"),
            )
            per_cohort[cohort.pk] += 1
            next_number += 1
            created.append(seat)
        if created:
            audit_record(
                actor=actor,
                action="board.seats_created",
                data={
                    "seats": [s.number for s in created],
                    "cohorts": [s.cohort.code for s in created],
                    "required": required,
                    "rule_set": rules.version,
                },
            )
            change_record(
                item_type="board",
                item_label=_("Board"),
                url=reverse("governance:board"),
                summary=ngettext(
                    "%(count)d vacant seat created (required by sponsor membership)",
                    "%(count)d vacant seats created (required by sponsor membership)",
                    len(created),
                )
                % {"count": len(created)},
            )
    return created


def board_found(*, seats: int, actor: Any = None) -> list[Seat]:
    """Size the founding board: vacant seats up to ``seats``, spread over the cohorts.

    Only before anyone has held a seat (a new installation); after that, seats come
    from the sponsor requirement or from board-size decisions.
    """
    _check_manager(actor)
    at = clock.now()
    rules = rules_in_force(at=at)
    if not rules.board_min_size <= seats <= rules.board_max_size:
        raise ValidationFailed(
            _("The board has between %(min)s and %(max)s seats.")
            % {"min": rules.board_min_size, "max": rules.board_max_size},
            code="board_size",
        )
    with transaction.atomic():
        cohorts, existing = _lock_board()
        if SeatHolding.objects.exists():
            raise Conflict(_("The board has already been seated."), code="board_exists")
        cohorts = _ensure_cohorts(rules, at, cohorts)
        live = [s for s in existing if s.abolished_at is None]
        counts = {c.pk: sum(1 for s in live if s.cohort_id == c.pk) for c in cohorts}
        number = max((s.number for s in existing), default=0)
        created = []
        for _i in range(seats - len(live)):
            cohort = min(cohorts, key=lambda c: (counts[c.pk], c.code))
            number += 1
            created.append(
                Seat.objects.create(
                    number=number,
                    cohort=cohort,
                    created_at=at,
                    created_reason=_("Founding board"),
                    vacant_since=at,
                    vacancy_reason=_("New seat"),
                )
            )
            counts[cohort.pk] += 1
        audit_record(actor=actor, action="board.founded", data={"seats": seats, "rule_set": rules.version})
    return created


def next_election_at(*, at: dt.datetime | None = None) -> dt.datetime | None:
    """The next board election: the earliest scheduled election (or cohort term end) after ``at``."""
    at = at or clock.now()
    candidates = [
        c.next_election_at or dt.datetime.combine(c.term_end, dt.time.min, tzinfo=dt.UTC)
        for c in Cohort.objects.all()
    ]
    future = [moment for moment in candidates if moment > at]
    return min(future) if future else None


def _check_appointment(*, seat: Seat, decision: Decision | None, rules: RuleSet, at: dt.datetime) -> Decision:
    if decision is None:
        raise ValidationFailed(
            _("An appointment to %(seat)s needs an adopted board decision.") % {"seat": seat},
            code="appointment_needs_decision",
            detail={"field": "decision"},
        )
    try:
        decision = check_adopted_decision(decision)
    except ValidationFailed as error:
        raise ValidationFailed(
            _("An appointment to %(seat)s needs an adopted board decision: %(why)s")
            % {"seat": seat, "why": error.message},
            code="appointment_needs_decision",
            detail={"field": "decision"},
        ) from None
    upcoming = next_election_at(at=at)
    window_end = add_months(at, rules.board_vacancy_window_months)
    if upcoming is None or upcoming > window_end:
        raise Conflict(
            _(
                "The board cannot appoint to %(seat)s: the next election (%(date)s) is more than %(months)s months away, so the seat is filled by election."
            )
            % {"seat": seat, "date": _day(upcoming), "months": rules.board_vacancy_window_months},
            code="appointment_outside_window",
        )
    return decision


def seat_fill(
    *,
    seat: Seat,
    person: Any,
    employer: Employer | None,
    independent: bool = False,
    source: str = HoldingSource.ELECTION,
    decision: Decision | None = None,
    actor: Any = None,
) -> SeatHolding:
    """Seat ``person`` for the rest of the cohort's term, with the employer they declared.

    ``employer`` is a member organisation or a corporate group chosen from the list; a person
    with no employer is seated only with ``independent=True`` declared explicitly (shown on
    the public board). An appointment names an adopted decision of the register.
    """
    require(
        actor is None or permissions.can_fill_seat(actor, source),
        _("Only the secretary or the chair fills board seats."),
    )
    at = clock.now()
    rules = rules_in_force(at=at)
    if source not in HoldingSource.values:
        raise ValidationFailed(_("Unknown way of filling a seat."), code="invalid_source")
    declared = check_declared_employer(employer, independent=independent)
    with transaction.atomic():
        _lock_board()
        seat = Seat.objects.select_related("cohort").get(pk=seat.pk)
        if source == HoldingSource.APPOINTMENT:
            decision = _check_appointment(seat=seat, decision=decision, rules=rules, at=at)
        elif decision is not None:
            decision = check_adopted_decision(decision)
        check_can_hold_seat(seat=seat, person=person, employer=declared, rules=rules, at=at)
        holding = SeatHolding.objects.create(
            seat=seat,
            person=person,
            employer=declared.organisation,
            employer_group=declared.group,
            independent=declared.independent,
            employer_name=declared.label,
            source=source,
            decision=decision,
            term_start=seat.cohort.term_start,
            term_end=seat.cohort.term_end,
            starts_at=at,
        )
        Seat.objects.filter(pk=seat.pk).update(vacant_since=None, vacancy_reason="")
        role_grant(person, Role.DIRECTOR, at, note=str(seat))
        audit_record(
            actor=actor,
            action="board.seat_filled",
            obj=seat,
            data={
                "person": person.audit_ref,
                "employer": declared.organisation.slug if declared.organisation else "",
                "employer_group": declared.group.audit_ref if declared.group else "",
                "independent": declared.independent,
                "source": source,
                "decision": decision.reference if decision else "",
                "term_end": holding.term_end,
                "rule_set": rules.version,
            },
        )
        change_record(
            item_type="board",
            item_label=str(seat),
            url=reverse("governance:board"),
            summary=_("Filled by %(source)s") % {"source": HoldingSource(source).label.lower()},
            reason=decision.reference if decision else "",
        )
    return holding


def seat_vacate(
    *, holding: SeatHolding, reason: str, note: str = "", actor: Any = None, at: dt.datetime | None = None
) -> SeatHolding:
    """End a holding and record the vacancy with its reason; the director's roles end with it."""
    _check_manager(actor)
    return _vacate(holding=holding, reason=reason, note=note, actor=actor, at=at)


def _vacate(
    *, holding: SeatHolding, reason: str, note: str = "", actor: Any, at: dt.datetime | None = None
) -> SeatHolding:
    """``seat_vacate`` without the actor's check: for the consequences of another change
    (a sponsor leaving, a cohort's term ending) that were themselves checked."""
    at = at or clock.now()
    if reason not in HoldingEnd.values:
        raise ValidationFailed(_("Unknown reason for a vacancy."), code="invalid_reason")
    with transaction.atomic():
        _lock_board()
        locked = (
            SeatHolding.objects.select_for_update(of=("self",))
            .select_related("seat", "person")
            .get(pk=holding.pk)
        )
        if locked.ends_at is not None:
            raise Conflict(_("%(seat)s is already vacant.") % {"seat": locked.seat}, code="already_vacant")
        locked.ends_at = at
        locked.end_reason = reason
        locked.end_note = note[:300]
        locked.save(update_fields=["ends_at", "end_reason", "end_note"])
        label = HoldingEnd(reason).label
        Seat.objects.filter(pk=locked.seat_id).update(vacant_since=at, vacancy_reason=label)
        # The chair must be a director; the secretary and treasurer may be named persons.
        roles_end(locked.person, (Role.DIRECTOR, Role.CHAIR), at)
        audit_record(
            actor=actor,
            action="board.seat_vacated",
            obj=locked.seat,
            data={"person": locked.person.audit_ref, "reason": reason, "at": at},
        )
        change_record(
            item_type="board",
            item_label=str(locked.seat),
            url=reverse("governance:board"),
            summary=_("Seat vacant"),
            reason=str(label),
        )
    return locked


def board_on_organisation_left(*, organisation: Organisation, actor: Any = None) -> list[SeatHolding]:
    """The sponsor left the foundation: every director it employs loses the seat."""
    _check_manager(actor)
    return _organisation_left(organisation=organisation, actor=actor)


def _organisation_left(*, organisation: Organisation, actor: Any) -> list[SeatHolding]:
    return [
        _vacate(holding=holding, reason=HoldingEnd.ORGANISATION_LEFT, actor=actor)
        for holding in SeatHolding.objects.active().filter(employer=organisation)
    ]


def director_employment_end(
    *, person: Any, organisation: Organisation, actor: Any = None, at: dt.datetime | None = None
) -> SeatHolding | None:
    """``person`` left ``organisation``: if it is the employer they sit for, the seat falls vacant."""
    _check_manager(actor)
    holding = SeatHolding.objects.active(at).filter(person=person, employer=organisation).first()
    if holding is None:
        return None
    return _vacate(holding=holding, reason=HoldingEnd.EMPLOYMENT_ENDED, actor=actor, at=at)


def director_employer_declare(
    *, holding: SeatHolding, employer: Employer | None, independent: bool = False, actor: Any = None
) -> SeatHolding:
    """A director declares a new employer (from the list) or independence; the one-per-group
    rule applies as on taking the seat.

    Leaving the employer they sit for is ``director_employment_end`` (the seat falls vacant).
    """
    require(
        actor is None or permissions.can_declare_employer(actor, holding),
        _("Directors declare their own employer."),
    )
    at = clock.now()
    rules = rules_in_force(at=at)
    declared = check_declared_employer(employer, independent=independent)
    with transaction.atomic():
        _lock_board()
        locked = (
            SeatHolding.objects.select_for_update(of=("self",))
            .select_related("person", "employer", "employer_group")
            .get(pk=holding.pk)
        )
        if locked.ends_at is not None:
            raise Conflict(_("That seat holding has ended."), code="holding_ended")
        check_group_cap(person=locked.person, employer=declared, rules=rules, at=at, excluding=locked)
        previous = locked.employer_name if not locked.independent else "independent"
        locked.employer = declared.organisation
        locked.employer_group = declared.group
        locked.independent = declared.independent
        locked.employer_name = declared.label
        locked.save(update_fields=["employer", "employer_group", "independent", "employer_name"])
        audit_record(
            actor=actor or locked.person,
            action="board.employer_declared",
            obj=locked.seat,
            data={
                "person": locked.person.audit_ref,
                "from": previous,
                "to": "independent" if declared.independent else declared.label,
            },
        )
        change_record(
            item_type="board",
            item_label=str(locked.seat),
            url=reverse("governance:board"),
            summary=_("Director's declared employer changed"),
        )
    return locked


def _check_size_decision(decision: Decision | None) -> Decision:
    """An adopted board-size decision of the register (as stored there, not as passed in)."""
    if decision is None:
        raise ValidationFailed(
            _("Changing the board's size needs an adopted board-size decision."), code="size_needs_decision"
        )
    try:
        return check_adopted_decision(decision, kinds=(DecisionKind.BOARD_SIZE_CHANGE,))
    except ValidationFailed as error:
        raise ValidationFailed(
            _("Changing the board's size needs an adopted board-size decision: %(why)s")
            % {"why": error.message},
            code="size_needs_decision",
        ) from None


def seat_create(*, decision: Decision | None, actor: Any = None) -> Seat:
    """Add a vacant seat (a board-size change), in the emptiest cohort, within the maximum."""
    _check_manager(actor)
    at = clock.now()
    rules = rules_in_force(at=at)
    decision = _check_size_decision(decision)
    with transaction.atomic():
        cohorts, seats = _lock_board()
        cohorts = _ensure_cohorts(rules, at, cohorts)
        live = [s for s in seats if s.abolished_at is None]
        if len(live) >= rules.board_max_size:
            raise Conflict(
                _("The board cannot grow: it has %(count)s seats, the maximum the rules allow is %(max)s.")
                % {"count": len(live), "max": rules.board_max_size},
                code="board_at_maximum",
            )
        counts = {c.pk: sum(1 for s in live if s.cohort_id == c.pk) for c in cohorts}
        cohort = min(cohorts, key=lambda c: (counts[c.pk], c.code))
        seat = Seat.objects.create(
            number=max((s.number for s in seats), default=0) + 1,
            cohort=cohort,
            created_at=at,
            created_reason=decision.reference if decision else "",
            vacant_since=at,
            vacancy_reason=_("New seat"),
        )
        audit_record(
            actor=actor,
            action="board.seat_created",
            obj=seat,
            data={"cohort": cohort.code, "decision": decision.reference if decision else ""},
        )
        change_record(
            item_type="board",
            item_label=str(seat),
            url=reverse("governance:board"),
            summary=_("Seat created"),
            reason=decision.reference if decision else "",
        )
    return seat


def seat_abolish(*, seat: Seat, decision: Decision | None, actor: Any = None) -> Seat:
    """Remove a vacant seat, never below the minimum or the seats sponsors require."""
    _check_manager(actor)
    at = clock.now()
    rules = rules_in_force(at=at)
    decision = _check_size_decision(decision)
    with transaction.atomic():
        _cohorts, seats = _lock_board()
        live = [s for s in seats if s.abolished_at is None]
        floor = max(rules.board_min_size, board_required_seats(rules=rules))
        if len(live) - 1 < floor:
            raise Conflict(
                _(
                    "%(seat)s cannot be abolished: the board needs at least %(floor)s seats (minimum %(min)s, or the seats sponsor members require)."
                )
                % {"seat": seat, "floor": floor, "min": rules.board_min_size},
                code="board_at_minimum",
            )
        if SeatHolding.objects.active(at).filter(seat=seat).exists():
            raise Conflict(
                _("%(seat)s is held; only a vacant seat can be abolished.") % {"seat": seat},
                code="seat_occupied",
            )
        Seat.objects.filter(pk=seat.pk).update(abolished_at=at)
        audit_record(
            actor=actor,
            action="board.seat_abolished",
            obj=seat,
            data={"decision": decision.reference if decision else ""},
        )
        change_record(
            item_type="board",
            item_label=str(seat),
            url=reverse("governance:board"),
            summary=_("Seat abolished"),
            reason=decision.reference if decision else "",
        )
    seat.refresh_from_db()
    return seat


def cohort_start_new_term(*, cohort: Cohort, actor: Any = None) -> Cohort:
    """The cohort's term is over: its holdings end and the next term begins (elections fill it)."""
    require(
        actor is None or permissions.can_seat_elected(actor),
        _("Only the secretary, the chair or the election committee's chair starts a cohort's term."),
    )
    at = clock.now()
    rules = rules_in_force(at=at)
    with transaction.atomic():
        _lock_board()
        locked = Cohort.objects.get(pk=cohort.pk)
        if dt.datetime.combine(locked.term_end, dt.time.min, tzinfo=dt.UTC) > at:
            raise Conflict(
                _("Cohort %(code)s's term runs until %(end)s.")
                % {"code": locked.code, "end": _day(locked.term_end)},
                code="term_not_over",
            )
        for holding in SeatHolding.objects.active(at).filter(seat__cohort=locked):
            _vacate(holding=holding, reason=HoldingEnd.TERM_ENDED, actor=actor, at=at)
        locked.term_start = locked.term_end
        locked.term_end = add_years(locked.term_start, rules.board_term_years)
        locked.next_election_at = None
        locked.save(update_fields=["term_start", "term_end", "next_election_at"])
        audit_record(
            actor=actor,
            action="board.cohort_new_term",
            data={"cohort": locked.code, "term_start": locked.term_start, "term_end": locked.term_end},
        )
    return locked


def cohort_schedule_election(*, cohort: Cohort, at: dt.datetime, actor: Any = None) -> Cohort:
    """Record when the election filling ``cohort``'s seats is due (the elections app calls this)."""
    require(
        actor is None or permissions.can_seat_elected(actor),
        _("Only the secretary, the chair or the election committee's chair schedules a cohort's election."),
    )
    with transaction.atomic():
        _lock_board()
        Cohort.objects.filter(pk=cohort.pk).update(next_election_at=at)
        audit_record(actor=actor, action="board.election_scheduled", data={"cohort": cohort.code, "at": at})
    cohort.refresh_from_db()
    return cohort


def officer_appoint(
    *, person: Any, role: str, actor: Any = None, decision: Decision | None = None
) -> RoleAssignment:
    """Make ``person`` chair, secretary or treasurer from now; the previous holder's period ends."""
    _check_manager(actor)
    at = clock.now()
    if decision is not None:
        decision = check_adopted_decision(decision)
    if role not in OFFICER_ROLES:
        raise ValidationFailed(_("Only chair, secretary and treasurer are officers."), code="not_an_officer")
    with transaction.atomic():
        _lock_board()
        if role == Role.CHAIR and not SeatHolding.objects.active(at).filter(person=person).exists():
            raise Conflict(
                _("%(person)s cannot be chair: the chair must be a sitting director.") % {"person": person},
                code="chair_not_director",
            )
        for previous in RoleAssignment.objects.active(at).filter(role=role).select_related("user"):
            roles_end(previous.user, (role,), at)
        assignment = role_grant(person, role, at, note=decision.reference if decision else "")
        audit_record(
            actor=actor,
            action="board.officer_appointed",
            data={
                "person": person.audit_ref,
                "role": role,
                "decision": decision.reference if decision else "",
            },
        )
        change_record(
            item_type="board",
            item_label=str(Role(role).label),
            url=reverse("governance:board"),
            summary=_("New officer"),
            reason=decision.reference if decision else "",
        )
    return assignment


def board_follow_membership(transition: MembershipTransition) -> None:
    """The membership hook (members/hooks.py): the board follows its sponsors.

    Admitting a sponsor may require seats (two per Platinum member); a sponsor leaving
    vacates the seats of the directors it employs. Runs inside the transition's transaction.
    Its actor (whoever moved the membership) was checked by the transition, so the board's
    own checks do not apply: the seats follow from the bylaws, not from a board decision.
    """
    membership = transition.membership
    if membership.organisation_id is None:
        return
    if transition.state == MembershipState.ACTIVE:
        _ensure_required_seats(actor=transition.actor)
    elif transition.state == MembershipState.ENDED and membership.organisation is not None:
        _organisation_left(organisation=membership.organisation, actor=transition.actor)


def access_seat(*, number: int) -> Seat:
    seat = Seat.objects.filter(number=number).select_related("cohort").first()
    if seat is None:
        raise NotFound(_("There is no seat %(number)s.") % {"number": number}, code="no_seat")
    return seat


__all__ = [
    "board_ensure_required_seats",
    "board_follow_membership",
    "board_on_organisation_left",
    "board_required_seats",
    "check_can_hold_seat",
    "cohort_start_new_term",
    "consecutive_terms",
    "director_employer_declare",
    "director_employment_end",
    "group_directors_in_office",
    "next_election_at",
    "officer_appoint",
    "seat_abolish",
    "seat_create",
    "seat_fill",
    "seat_vacate",
]
