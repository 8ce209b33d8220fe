"""Governance test helpers: a board of seats, directors, meetings with attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core import clock
from governance.models import (
    AttendanceStatus,
    Cohort,
    Decision,
    DecisionKind,
    MeetingKind,
    Seat,
    SeatHolding,
    VoteChoice,
)
from governance.services.board import board_ensure_required_seats, seat_fill
from governance.services.decisions import decision_record
from governance.services.meetings import attendance_record, meeting_create
from tests.factories import RoleFactory, UserFactory


class Board:
    """Builds board state for a test through the services (seats directly, as setup)."""

    def seats(self, count: int) -> list[Seat]:
        board_ensure_required_seats()  # creates the cohorts and the minimum
        cohorts = list(Cohort.objects.order_by("code"))
        seats = list(Seat.objects.order_by("number"))
        while len(seats) < count:
            seats.append(
                Seat.objects.create(
                    number=len(seats) + 1, cohort=cohorts[len(seats) % len(cohorts)], vacant_since=clock.now()
                )
            )
        return seats[:count]

    def directors(self, count: int, *, employers: list[Any] | None = None) -> list[Any]:
        seats = self.seats(count)
        people = []
        for i, seat in enumerate(seats):
            person = UserFactory(full_name=f"Director {i + 1}")
            employer = employers[i] if employers and i < len(employers) else None
            seat_fill(
                seat=seat, person=person, employer=employer, independent=employer is None, source="founding"
            )
            people.append(person)
        return people

    def meeting(
        self,
        *,
        present: list[Any] | None = None,
        kind: str = MeetingKind.REGULAR,
        at: dt.datetime | None = None,
        title: str = "Board meeting",
    ) -> Any:
        secretary = self.secretary()
        meeting = meeting_create(kind=kind, title=title, scheduled_at=at or clock.now(), actor=secretary)
        if kind != MeetingKind.WRITTEN_CONSENT:
            directors = [
                h.person for h in SeatHolding.objects.active(meeting.scheduled_at).select_related("person")
            ]
            present_set = {p.pk for p in (present if present is not None else directors)}
            attendance_record(
                meeting=meeting,
                entries=[
                    (p, AttendanceStatus.PRESENT if p.pk in present_set else AttendanceStatus.ABSENT, "")
                    for p in directors
                ],
                actor=secretary,
            )
        return meeting

    def decide(
        self,
        *,
        meeting: Any = None,
        kind: str = DecisionKind.ORDINARY,
        votes: dict[Any, str] | None = None,
        **kwargs: Any,
    ) -> Decision:
        meeting = meeting or self.meeting()
        directors = [
            h.person for h in SeatHolding.objects.active(meeting.scheduled_at).select_related("person")
        ]
        if votes is None:
            votes = dict.fromkeys(directors, VoteChoice.YES)
        return decision_record(
            meeting=meeting,
            title=kwargs.pop("title", "A resolution"),
            text=kwargs.pop("text", "The board resolves."),
            kind=kind,
            votes=[
                (p, choice, "conflict: employer is a party" if choice == VoteChoice.RECUSED else "")
                for p, choice in votes.items()
            ],
            actor=self.secretary(),
            **kwargs,
        )

    _secretary: Any = None

    def secretary(self) -> Any:
        if self._secretary is None:
            self._secretary = RoleFactory(role="secretary").user
        return self._secretary


@pytest.fixture
def board(clock: Any, db: Any) -> Board:
    return Board()
