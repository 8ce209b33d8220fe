"""The public record over the API: every endpoint for every role, nothing private,
cursor pagination, filters, conditional GET, throttling and the JSON 404."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import User
from tests.api.conftest import client_for, token_for
from tests.factories import OrganisationFactory, make_member

pytestmark = pytest.mark.django_db

PUBLIC_ENDPOINTS = [
    "/api/v1/audit/head/",
    "/api/v1/keys/",
    "/api/v1/membership-classes/",
    "/api/v1/organisations/",
    "/api/v1/rule-sets/",
    "/api/v1/rule-sets/1/",
    "/api/v1/board/",
    "/api/v1/board/history/",
    "/api/v1/decisions/",
    "/api/v1/decisions/1/",
    "/api/v1/minutes/",
    "/api/v1/minutes/1/",
    "/api/v1/policies/",
    "/api/v1/policies/code-of-conduct/",
]
ROLES = ["anonymous", "member", "representative", "secretary", "committee_member", "committee_chair", "staff"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", PUBLIC_ENDPOINTS)
def test_public_endpoints_answer_every_role_without_private_data(people, record, role, url):
    response = client_for(people.viewers[role]).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    emails = User.objects.values_list("email", flat=True)
    assert not [e for e in emails if e in body]
    for private in ("billing_contact", "tax_id", "draft_md", "password", "private_pem", "token_hash"):
        assert private not in body


def test_the_directory_lists_listed_organisations_only(people, clock, api):
    hidden = make_member(organisation=OrganisationFactory(in_directory=False), class_code="silver")
    numbers = [o["number"] for o in api.get("/api/v1/organisations/").json()["results"]]
    assert numbers == [people.org.number]
    assert hidden.number not in numbers


def test_decisions_show_the_roll_call_by_public_id(record, api):
    body = api.get("/api/v1/decisions/1/").json()
    directors = {str(d.public_id) for d in record["directors"]}
    assert {v["director"]["public_id"] for v in body["votes"]} == directors
    assert body["approves_minutes_number"] == record["minutes"].number
    assert body["adopts_policy"] == "code-of-conduct@1"


def test_unpublished_minutes_are_not_found(board, clock, api):
    from governance.services.meetings import minutes_draft

    board.directors(1)
    minutes_draft(meeting=board.meeting(), body_md="secret draft", actor=board.secretary())
    assert api.get("/api/v1/minutes/").json()["results"] == []
    assert api.get("/api/v1/minutes/1/").status_code == 404


def test_published_minutes_carry_their_text_and_audit_hash(record, api):
    body = api.get("/api/v1/minutes/1/").json()
    assert body["versions"][0]["body_md"].startswith("# Minutes")
    assert len(body["versions"][0]["audit_head_hash"]) == 64


def test_the_board_shows_seats_holders_and_officers(record, api):
    body = api.get("/api/v1/board/").json()
    assert body["in_office"] == 3
    assert {s["holder"]["person"]["name"] for s in body["seats"] if s["holder"]} == {
        "Director 1",
        "Director 2",
        "Director 3",
    }
    assert [o["role"] for o in body["officers"]] == ["secretary"]


def test_rule_sets_list_every_version_with_its_classes(api, db):
    body = api.get("/api/v1/rule-sets/").json()
    assert body[0]["version"] == 1
    assert {c["code"]: c["vote_weight"] for c in body[0]["membership_classes"]}["platinum"] == 50


def test_membership_classes_of_an_unknown_version_are_a_404(api, db):
    response = api.get("/api/v1/membership-classes/", {"rule_set": 99})
    assert response.status_code == 404
    assert response.json()["code"] == "rule_set_not_found"


@pytest.mark.parametrize("url", ["/api/v1/decisions/99/", "/api/v1/decisions/99999999999999999999/"])
def test_unknown_numbers_are_a_404_in_the_error_shape(api, db, url):
    response = api.get(url)
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "detail"}


def test_an_unknown_api_address_is_a_json_404(api, db):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Filters and cursor pagination -------------------------------------------------------------


def test_decisions_filter_by_outcome_and_year(record, api):
    assert len(api.get("/api/v1/decisions/", {"outcome": "adopted", "year": 2026}).json()["results"]) == 1
    assert api.get("/api/v1/decisions/", {"year": 2020}).json()["results"] == []


def test_decisions_filter_by_director(record, api):
    director = record["directors"][0]
    results = api.get("/api/v1/decisions/", {"director": str(director.public_id)}).json()["results"]
    assert [d["number"] for d in results] == [record["decision"].number]


def test_a_bad_filter_value_is_a_400(record, api):
    response = api.get("/api/v1/decisions/", {"kind": "coup"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_organisations_page_with_cursors(clock, api):
    numbers = sorted(
        make_member(organisation=OrganisationFactory(), class_code="silver").number for _ in range(5)
    )
    first = api.get("/api/v1/organisations/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert [o["number"] for o in first["results"] + second["results"]] == numbers[:4]
    assert "cursor=" in first["next"]


def test_a_bad_cursor_is_a_404(api, db):
    response = api.get("/api/v1/organisations/", {"cursor": "garbage"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_directory_list_runs_constant_queries(clock, api):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/organisations/").status_code == 200
        return len(ctx.captured_queries)

    make_member(organisation=OrganisationFactory(), class_code="silver")
    one = count()
    for _ in range(10):
        make_member(organisation=OrganisationFactory(), class_code="silver")
    assert count() == one


def test_the_decisions_list_runs_constant_queries(board, clock, api):
    board.directors(3)
    board.decide()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/decisions/").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for _ in range(5):
        board.decide()
    assert count() == one


# --- Conditional GET -----------------------------------------------------------------------------


def test_a_matching_etag_gets_a_304(record, api):
    first = api.get("/api/v1/decisions/")
    again = api.get("/api/v1/decisions/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_the_etag_changes_when_the_resource_does(record, board, api):
    before = api.get("/api/v1/decisions/")["ETag"]
    board.decide()
    response = api.get("/api/v1/decisions/", HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200
    assert response["ETag"] != before


def test_if_modified_since_gets_a_304(record, api):
    first = api.get("/api/v1/minutes/")
    assert first["Last-Modified"]
    again = api.get("/api/v1/minutes/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


# --- Throttling -------------------------------------------------------------------------------------


def test_too_many_requests_from_one_address_get_a_429_with_retry_after(api, db, settings):
    settings.CHARTER_API_THROTTLE_RATES = {"api_ip": "3/min"}
    statuses = [api.get("/api/v1/audit/head/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/audit/head/")
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
    assert response.json()["detail"]["retry_after_seconds"] > 0


def _from(api, client_address, *, spoofed=""):
    # Through nginx: it appends the address it saw to whatever X-Forwarded-For the client sent.
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return api.get("/api/v1/audit/head/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code


def test_behind_the_proxy_each_client_address_has_its_own_budget(api, db, settings):
    settings.CHARTER_API_THROTTLE_RATES = {"api_ip": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # TRUSTED_PROXY_COUNT=1
    assert [_from(api, "198.51.100.7") for _ in range(3)] == [200, 200, 429]
    assert _from(api, "203.0.113.9") == 200  # another client, same proxy address: not throttled
    # A client cannot pass for another by sending its own X-Forwarded-For: only the proxy's entry counts.
    assert _from(api, "198.51.100.7", spoofed="192.0.2.55") == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(api, db, settings):
    settings.CHARTER_API_THROTTLE_RATES = {"api_ip": "2/min"}
    assert [_from(api, f"198.51.100.{i}") for i in range(3)] == [200, 200, 429]  # all one address


def test_sign_in_rate_limits_see_the_client_behind_the_proxy(rf, settings):
    from allauth.account.adapter import get_adapter

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.55, 198.51.100.7")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert get_adapter().get_client_ip(request) == "198.51.100.7"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert get_adapter().get_client_ip(request) == "127.0.0.1"


def test_the_settings_read_the_proxy_count_from_the_environment(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.REST_FRAMEWORK["NUM_PROXIES"] == 1
        assert reloaded.ALLAUTH_TRUSTED_PROXY_COUNT == 1
        monkeypatch.setenv("TRUSTED_PROXY_COUNT", "0")
        reloaded = importlib.reload(base)
        assert "NUM_PROXIES" not in reloaded.REST_FRAMEWORK
        assert reloaded.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    finally:
        monkeypatch.delenv("TRUSTED_PROXY_COUNT")
        importlib.reload(base)


def test_each_token_has_its_own_budget(api, clock, settings, people):
    settings.CHARTER_API_THROTTLE_RATES = {"api_token": "2/min"}
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(people.member_user)}")
    statuses = [api.get("/api/v1/voting-rights/me/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(people.member_user, 'other')}")
    assert api.get("/api/v1/voting-rights/me/").status_code == 200


class _BrokenCache:
    def get(self, *args, **kwargs):
        raise ConnectionError("cache is down")

    set = get


def test_an_unavailable_cache_fails_open_with_a_log_line(api, db, monkeypatch, caplog):
    from django.core import cache as cache_module

    class _Caches:
        def __getitem__(self, alias):
            return _BrokenCache()

    monkeypatch.setattr("core.api.framework.caches", _Caches())
    assert cache_module  # the real cache is untouched
    with caplog.at_level(logging.WARNING, logger="core.api.framework"):
        response = api.get("/api/v1/audit/head/")
    assert response.status_code == 200
    assert "cache unavailable" in caplog.text
