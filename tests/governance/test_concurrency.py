"""Board changes serialise on the board lock: two racing seat fills cannot both pass the group rule."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from governance.models import SeatHolding
from governance.services.board import seat_fill
from tests.factories import OrganisationFactory, UserFactory
from tests.governance.conftest import Board


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_directors_from_one_group_racing_for_seats(clock):
    seats = Board().seats(2)
    org = OrganisationFactory()
    people = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def fill(i: int) -> None:
        try:
            barrier.wait()
            seat_fill(seat=seats[i], person=people[i], employer=org)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=fill, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["group_has_director", "ok"]
    assert SeatHolding.objects.active().filter(employer=org).count() == 1
