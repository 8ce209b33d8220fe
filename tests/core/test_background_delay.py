"""The committee's pages say when background work is delayed (the outbox lags, beat is stale)."""

from __future__ import annotations

import pytest

from core import health
from core.outbox import enqueue
from tests.auth import sign_in
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/manage/governance/board/"


@pytest.fixture
def secretary(client):
    user = RoleFactory(role="secretary").user
    sign_in(client, user)
    return user


def test_no_banner_while_jobs_run_on_time(client, clock, secretary):
    health.beat_heartbeat()
    enqueue("core.relay_outbox")  # waiting, but not for long
    html = client.get(PAGE).content.decode()
    assert "data-background-delay" not in html


def test_the_committee_sees_a_banner_when_the_outbox_lags(client, clock, settings, secretary):
    enqueue("core.relay_outbox")  # tests publish nothing on commit: it waits, as with Redis down
    enqueue("core.relay_outbox")
    clock.advance(seconds=settings.READYZ_OUTBOX_MAX_LAG_SECONDS + 120)
    health.beat_heartbeat()
    html = client.get(PAGE).content.decode()
    assert "data-background-delay" in html
    assert "2 jobs have been waiting" in html


def test_a_stale_scheduler_is_named_too(client, clock, settings, secretary):
    health.beat_heartbeat()
    clock.advance(seconds=settings.READYZ_BEAT_MAX_AGE_SECONDS + 1)
    html = client.get(PAGE).content.decode()
    assert "the scheduler has not been seen recently" in html


def test_members_and_public_pages_never_show_it(client, clock, settings):
    enqueue("core.relay_outbox")
    clock.advance(seconds=settings.READYZ_OUTBOX_MAX_LAG_SECONDS + 120)
    sign_in(client, UserFactory(), second_factor=False)
    for path in ("/", "/dashboard/", "/elections/"):
        assert "data-background-delay" not in client.get(path).content.decode()
