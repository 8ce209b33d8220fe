"""The OpenAPI schema describes every endpoint and error; the docs are served locally;
schemathesis fuzzes every operation on a live server: no 5xx, every response conforms."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 25


def test_every_api_operation_documents_its_errors(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operations = [(path, op) for path, item in schema["paths"].items() for op in item.values()]
    assert len(operations) >= 22
    for path, op in operations:
        assert {"200", "400", "401", "404", "429"} <= set(op["responses"]), path
        error = op["responses"]["404"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}, path
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "detail"}


def test_the_signed_form_is_in_the_schema(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    ok = schema["paths"]["/api/v1/voting-rights/members/{number}/"]["get"]["responses"]["200"]["content"]
    assert set(ok) == {"application/json", "application/jose"}


def test_the_docs_use_local_assets_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "drf_spectacular_sidecar" in body
    assert "cdn." not in body and "unpkg" not in body


def _fuzz(operation, base_url: str, failures: list[str], calls: list[int]):
    """A hypothesis test for one operation: call it with generated cases, collect failures."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        try:
            response = case.call_and_validate(base_url=base_url, checks=CHECKS)
            calls.append(response.status_code)
        except AssertionError as exc:  # schemathesis raises a FailureGroup (an AssertionError)
            failures.append(f"{operation.label}: {exc}")

    return run


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_nonconforming_response(
    live_server, settings, people, record
):
    settings.CHARTER_API_THROTTLE_RATES = {"api_ip": "1000000/min", "api_token": "1000000/min"}
    raw = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(raw)
    failures: list[str] = []
    calls: list[int] = []
    operations = 0
    for result in schema.get_all_operations():
        _fuzz(result.ok(), live_server.url, failures, calls)()
        operations += 1
    assert operations >= 22
    assert len(calls) >= operations * 5  # the fuzzing really ran
    assert 200 in calls
    assert not failures, "\n\n".join(failures[:5])
