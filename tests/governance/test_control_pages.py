"""The control page (/governance/control/) and its API (/api/v1/control/): the same figures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.jws import verify_statement
from core.models import RuleSet, User
from core.rules import rules_in_force
from governance.services.board import seat_fill
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/governance/control/"
API = "/api/v1/control/"


@pytest.fixture
def seated(board, clock):
    """Eight directors: three from one corporate group (the cap raised to three), five independents."""
    current = rules_in_force()
    RuleSet.objects.filter(pk=current.pk).update(board_max_per_group=3)
    parent = OrganisationFactory(legal_name="Acme Cloud", corporate_group="Acme Holdings")
    sibling = OrganisationFactory(legal_name="Acme Chips", corporate_group="Acme Holdings")
    return board.directors(8, employers=[parent, sibling, parent])


def _row(page: str, table: str, key: str) -> str:
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return body.split(f'data-group="{key}"', 1)[1].split("</tr>", 1)[0]


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def test_the_page_and_the_api_give_the_same_figures(seated):
    answer = APIClient().get(API).json()
    page = Client().get(PAGE).content.decode()
    assert len(answer["groups"]) == 6
    for group in answer["groups"]:
        seats = _row(page, "seats", group["key"])
        assert group["label"] in seats
        assert f">{group['seats']}<" in seats and _percent(group["seat_share"]) in seats
        for threshold in answer["thresholds"]:
            figures = group["power"][threshold["key"]]
            row = _row(page, f"power-{threshold['key']}", group["key"])
            assert _percent(figures["banzhaf"]) in row
            assert f'title="{figures["banzhaf_exact"]}"' in row
            assert _percent(figures["banzhaf_absolute"]) in row
            assert _percent(figures["shapley_shubik"]) in row
            assert ("can pass" in row) == figures["can_pass"]
            assert ("can block" in row) == (figures["can_block"] and not figures["can_pass"])
    for line in answer["findings"]:
        assert line.replace("'", "&#x27;") in page


def test_the_api_says_who_can_block(seated):
    answer = APIClient().get(API).json()
    acme = answer["groups"][0]
    assert acme["label"] == "Acme Holdings" and acme["seats"] == 3
    assert acme["power"]["supermajority"]["can_block"] is True
    assert acme["power"]["majority"]["can_block"] is False
    assert acme["denies_quorum"] is False
    assert {t["key"]: t["yes_needed"] for t in answer["thresholds"]} == {
        "majority": 5,
        "supermajority": 6,
        "written_consent": 7,
    }
    assert answer["board"] == {"seats": 8, "in_office": 8, "vacancies": 0, "quorum": 5}


def test_the_api_answer_is_signed_like_the_voting_rights_statements(seated):
    api = APIClient()
    token = api.get(API, {"format": "jws"}).content.decode()
    claims = verify_statement(token, api.get("/api/v1/keys/").json())
    answer = api.get(API).json()
    assert {k: claims[k] for k in answer} == answer


def test_a_past_date_is_answered_for_then(seated, clock):
    yesterday = (clock.now() - dt.timedelta(days=1)).date().isoformat()
    answer = APIClient().get(API, {"at": yesterday}).json()
    assert answer["groups"] == []  # the board was seated today
    page = Client().get(PAGE, {"at": yesterday})
    assert page.status_code == 200 and "No directors were in office" in page.content.decode()


@pytest.mark.parametrize("value", ["nonsense", "2026-02-30", "2999-01-01"])
def test_a_bad_at_is_a_400_with_a_clear_message(seated, value):
    response = APIClient().get(API, {"at": value})
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_at", "at_in_future"}
    page = Client().get(PAGE, {"at": value})
    assert page.status_code == 400
    assert "“at” must" in page.content.decode()


def test_before_the_first_rule_set_the_api_is_a_404_and_the_page_an_empty_state(clock, db):
    response = APIClient().get(API, {"at": "2000-01-01"})
    assert response.status_code == 404 and response.json()["code"] == "no_rule_set"
    page = Client().get(PAGE, {"at": "2000-01-01"})
    assert page.status_code == 200 and "the foundation had not begun" in page.content.decode()


def test_an_empty_board_has_empty_states(clock, db):
    page = Client().get(PAGE).content.decode()
    assert "No directors were in office" in page
    assert "No board has been seated yet." in page
    assert "No election roll had been frozen by this date." in page


def test_the_page_is_linked_from_the_transparency_navigation(clock, db):
    assert f'href="{PAGE}"' in Client().get("/governance/board/").content.decode()
    assert f'href="{PAGE}"' in Client().get("/governance/").content.decode()


def test_the_timeline_has_a_chart_and_a_table(seated):
    page = Client().get(PAGE).content.decode()
    assert "<svg" in page and "<polyline" in page and 'id="timeline"' in page
    assert re.search(r">Date</text>", page) and "Largest group (%)" in page


def test_no_email_address_is_published(seated):
    body = APIClient().get(API).content.decode() + Client().get(PAGE).content.decode()
    assert not [email for email in User.objects.values_list("email", flat=True) if email in body]


def test_the_query_count_stays_flat_as_the_board_grows(board, clock):
    seats = board.seats(12)
    board.directors(3)
    APIClient().get(API)  # warm what is read once per process (rule set, signing keys)
    with CaptureQueriesContext(connection) as small:
        APIClient().get(API)
    acme = OrganisationFactory(legal_name="Acme")
    for i, seat in enumerate(seats[3:]):
        seat_fill(
            seat=seat,
            person=UserFactory(),
            employer=acme if i == 0 else None,
            independent=i != 0,
            source="founding",
        )
    with CaptureQueriesContext(connection) as large:
        APIClient().get(API)
    assert len(large) == len(small)


def test_the_schema_documents_the_endpoint(db):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/control/" in schema and "application/jose" in schema and "banzhaf_absolute" in schema
