"""The benchmarks' trivial view exists only when CHARTER_BENCH is set."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db


def test_the_bench_ping_is_not_routed_without_charter_bench(client):
    with pytest.raises(NoReverseMatch):
        reverse("api-bench-ping")
    assert client.get("/api/v1/bench/ping/").status_code == 404


def test_the_bench_ping_answers_ok_when_routed(rf):
    from core.api.views import BenchPingView

    response = BenchPingView.as_view()(rf.get("/api/v1/bench/ping/"))
    assert response.status_code == 200
    assert response.data == {"ok": True}
