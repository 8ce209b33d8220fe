"""Two requests at once: the database, not the pre-check, keeps one open application."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from members.models import MembershipApplication
from members.services.applications import application_submit_organisation
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_simultaneous_applications_for_one_organisation_leave_exactly_one(clock):
    applicants = [UserFactory() for _ in range(4)]
    barrier = threading.Barrier(len(applicants))
    outcomes: list[str] = []

    def submit(user):
        try:
            barrier.wait()
            application_submit_organisation(
                applicant=user,
                class_code="mirror",
                legal_name="Race Condition Ltd",
                representative_email="rep@race.example",
                mirror_url="https://mirror.race.example/",
            )
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(u,)) for u in applicants]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["duplicate_organisation_application"] * 3 + ["ok"]
    assert MembershipApplication.objects.filter(legal_name_key="race condition ltd").count() == 1
