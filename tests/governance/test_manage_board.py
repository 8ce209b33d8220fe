"""The board management pages: thin views over the board services."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from governance.models import ConflictDeclaration, SeatHolding
from governance.services.board import seat_fill
from tests.auth import sign_in
from tests.factories import OrganisationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(client):
    user = RoleFactory(role="secretary").user
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return user


def test_the_secretary_fills_a_seat_by_election(client, board, secretary):
    seat = board.seats(2)[1]
    person = UserFactory(email="new.director@example.org")
    response = client.post(
        "/manage/governance/board/seats/fill/",
        {
            "seat": seat.pk,
            "person": person.email,
            "employer": "independent",
            "source": "election",
            "decision": "",
        },
    )
    assert response.status_code == 302
    assert SeatHolding.objects.active().filter(person=person, seat=seat).exists()


def test_a_refused_seat_shows_the_explanation(client, board, secretary):
    org = OrganisationFactory(legal_name="Example Corp")
    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(full_name="Grace Hopper"), employer=org)
    person = UserFactory(full_name="Ada Lovelace")
    response = client.post(
        "/manage/governance/board/seats/fill/",
        {
            "seat": seats[1].pk,
            "person": person.email,
            "employer": f"org:{org.pk}",
            "source": "election",
            "decision": "",
        },
    )
    assert response.status_code == 200
    assert (
        "Ada Lovelace cannot sit for Example Corp: its group (Example Corp) already has"
        in response.content.decode()
    )


def test_the_secretary_vacates_a_seat(client, board, secretary):
    director = board.directors(1)[0]
    holding = SeatHolding.objects.get(person=director)
    response = client.post(f"/manage/governance/board/holdings/{holding.pk}/vacate/", {"reason": "resigned"})
    assert response.status_code == 302
    holding.refresh_from_db()
    assert holding.end_reason == "resigned"


def test_the_board_management_page_opens(client, board, secretary):
    board.directors(2)
    assert client.get("/manage/governance/board/").status_code == 200


def test_a_director_cannot_manage_the_board(client, board):
    director = board.directors(1)[0]
    TOTP.activate(director, generate_totp_secret())
    sign_in(client, director)
    assert client.get("/manage/governance/board/").status_code == 403


def test_a_director_files_a_declaration(client, board):
    director = board.directors(1)[0]
    TOTP.activate(director, generate_totp_secret())
    sign_in(client, director)
    response = client.post("/manage/governance/declaration/", {"interests": "None"})
    assert response.status_code == 302
    assert ConflictDeclaration.objects.filter(person=director).exists()
