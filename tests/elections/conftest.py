"""Election test helpers: seats, members, and elections moved through their lifecycle by the schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core import clock
from core.outbox import run_pending_inline
from elections.models import Candidate, Election
from elections.services.lifecycle import election_create, election_run_schedule
from elections.services.nominations import candidate_accept, nomination_create
from governance.models import Seat
from governance.services.board import board_found
from tests.factories import UserFactory, make_member

LONG_AGO = dt.timedelta(days=200)


class Elections:
    """Builds elections through the services, moving the clock like the schedule would."""

    def seats(self, count: int) -> list[Seat]:
        if not Seat.objects.exists():
            board_found(seats=max(count, 4))
        return list(Seat.objects.order_by("number")[:count])

    def member(self, *, name: str = "", class_code: str = "individual", **kwargs: Any) -> Any:
        user = UserFactory(**({"full_name": name} if name else {}))
        make_member(user=user, class_code=class_code, start=clock.now() - LONG_AGO, **kwargs)
        return user

    def create(self, *, method: str = "meek", seats: int | list[Seat] = 1, **kwargs: Any) -> Election:
        opens = clock.now() + dt.timedelta(days=50)
        params = {
            "slug": kwargs.pop("slug", f"board-{Election.objects.count() + 1}"),
            "title": "Board election",
            "seats": self.seats(seats) if isinstance(seats, int) else seats,
            "method": method,
            "record_date": opens - dt.timedelta(days=5),
            "voting_opens_at": opens,
            "voting_closes_at": opens + dt.timedelta(days=14),
        }
        params.update(kwargs)
        return election_create(**params)

    def goto(self, when: dt.datetime) -> None:
        clock.freeze(when)
        election_run_schedule()

    def open_nominations(self, election: Election) -> Election:
        self.goto(election.nominations_open_at)
        election.refresh_from_db()
        return election

    def stand(
        self, election: Election, *, name: str, employer: Any = None, proposed_employer: str = ""
    ) -> Candidate:
        """``name`` is nominated and accepts: employed by ``employer`` (an organisation or a group),
        by a group named ``proposed_employer``, or else independent."""
        person = self.member(name=name)
        nominator = self.member()
        nomination_create(
            election=election, nominator=nominator.memberships.get(), nominee=person, actor=nominator
        )
        candidate = Candidate.objects.get(election=election, person=person)
        return candidate_accept(
            candidate=candidate,
            statement=f"{name} will serve.",
            employer=employer,
            independent=employer is None and not proposed_employer,
            proposed_employer=proposed_employer,
            actor=person,
        )

    def open_voting(self, election: Election) -> Election:
        self.goto(election.voting_opens_at)
        election.refresh_from_db()
        return election

    def voting(
        self, *, candidates: list[str], voters: int = 3, method: str = "meek", seats: int = 1, **kwargs: Any
    ) -> tuple[Election, list[Candidate], list[Any]]:
        """An election open for voting with ``candidates`` standing and ``voters`` extra members."""
        election = self.create(method=method, seats=seats, **kwargs)
        self.open_nominations(election)
        standing = [self.stand(election, name=name) for name in candidates]
        people = [self.member() for _ in range(voters)]
        election = self.open_voting(election)
        return election, standing, people

    def close(self, election: Election, *, count: bool = True) -> Election:
        """Move to the close; with ``count`` also run the count job the close queued."""
        self.goto(election.voting_closes_at)
        if count:
            run_pending_inline()
        election.refresh_from_db()
        return election


@pytest.fixture
def elections(clock: Any, db: Any) -> Elections:
    return Elections()


def entry_for(election: Election, user: Any) -> Any:
    return election.roll.get(voter=user)


def opened_ballots(election: Election) -> list[tuple[list[int], int]]:
    """The ballots cast so far as ``(choices, weight)``, opened as the close opens them.

    During voting ballots exist only sealed; tests read them with the election's key, which
    is still there (the close destroys it).
    """
    from elections.services.ballots import _open_ballots

    return _open_ballots(election)
