"""Bad filter values on the public registers: a 400 with the reason, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

LISTS = ["/governance/minutes/", "/governance/decisions/"]
BAD_YEARS = ["-1", "0", "99999999999999999999", "10000", "1e5", "abc"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("year", BAD_YEARS)
def test_a_year_out_of_range_is_a_400_with_the_reason(client, url, year):
    response = client.get(url, {"year": year})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This filter could not be used" in body and "Year" in body


@pytest.mark.parametrize("url", LISTS)
def test_a_year_in_range_still_filters(client, url):
    assert client.get(url, {"year": "2026"}).status_code == 200


@pytest.mark.parametrize("url", LISTS)
def test_a_nul_character_in_the_search_is_a_400(client, url):
    response = client.get(url, {"q": "budget\x00"})
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [{"kind": "bogus"}, {"outcome": "bogus"}, {"director": "not-a-uuid"}, {"q": "x" * 201}],
)
def test_a_malformed_register_filter_is_a_400_with_the_reason(client, params):
    response = client.get("/governance/decisions/", params)
    assert response.status_code == 400
    assert "This filter could not be used" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/minutes/", "/api/v1/decisions/"])
@pytest.mark.parametrize("year", ["-1", "99999999999999999999"])
def test_the_api_filters_answer_a_bad_year_with_the_error_body(client, url, year):
    response = client.get(url, {"year": year})
    assert response.status_code == 400
    assert set(response.json()) >= {"code", "message", "detail"}
