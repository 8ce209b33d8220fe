"""Jobs go through the outbox: a rolled-back job never runs; a broker outage delays, never loses."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import transaction

from config.celery import app
from core.mail import email_queue
from core.models import OutboxMessage, OutgoingEmail
from core.outbox import enqueue, relay_outbox
from tests.servers import Redis, use_broker

pytestmark = pytest.mark.django_db


def test_a_job_enqueued_in_a_rolled_back_transaction_never_exists(run_jobs):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        email_queue(to="a@example.org", template="emails/core/test", context={}, purpose="test")
        raise Boom
    assert OutboxMessage.objects.count() == 0
    assert run_jobs() == 0
    assert mail.outbox == []


def test_a_committed_job_runs_and_running_it_twice_sends_once(run_jobs):
    email = email_queue(
        to="a@example.org", template="emails/core/test", context={"name": "Ada"}, purpose="test"
    )
    assert run_jobs() == 1
    from core.mail import deliver_queued_email

    deliver_queued_email(email_id=str(email.pk))  # a duplicate delivery of the same job
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT


def test_delayed_jobs_wait_until_they_are_due(run_jobs, clock):
    import datetime as dt

    enqueue("core.relay_outbox", delay=dt.timedelta(hours=1))
    assert run_jobs() == 0
    clock.advance(hours=1)
    assert run_jobs() == 1


# --- With a real Redis broker and a real Celery worker -------------------------------


@pytest.fixture
def private_redis() -> Iterator[Redis]:
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (CI installs it)")
    redis = Redis()
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    use_broker(redis.url)
    yield redis
    redis.stop()
    use_broker(previous[0])
    app.conf.broker_transport_options = previous[1]


@pytest.mark.postgres  # the worker thread needs the test database on its own connection
@pytest.mark.django_db(transaction=True)
def test_a_job_enqueued_while_the_broker_is_down_runs_once_when_it_returns(private_redis, settings):
    from celery.contrib.testing.worker import start_worker

    settings.OUTBOX_PUBLISH_ON_COMMIT = True  # the real path: publish after commit
    app.conf.broker_connection_timeout = 1
    # The broker is down: the commit succeeds, the publish fails, the row waits.
    email = email_queue(to="member@example.org", template="emails/core/test", context={}, purpose="test")
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts >= 1
    assert relay_outbox() == 0

    private_redis.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert relay_outbox() == 1
        assert relay_outbox() == 0  # already handed over: not sent again
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            email.refresh_from_db()
            if email.status == OutgoingEmail.Status.SENT:
                break
            time.sleep(0.1)
    assert email.status == OutgoingEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["member@example.org"]]
