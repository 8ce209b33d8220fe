"""Retention: a daily job deletes what the rule set's periods no longer allow; tested with time travel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from core.mail import email_queue
from core.models import ApiToken, AuditEntry, OutgoingEmail, RuleSet
from core.services.api_tokens import api_token_create
from core.services.retention import retention_apply
from core.tasks import apply_retention
from members.models import ApplicationState, Invitation, MembershipApplication, Reminder
from members.services.transitions import membership_end
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def _email(to: str = "someone@example.org") -> OutgoingEmail:
    return email_queue(to=to, template="emails/core/test", context={}, purpose="test")


def _application(state: str, *, decided_at: dt.datetime) -> MembershipApplication:
    return MembershipApplication.objects.create(
        applicant=UserFactory(),
        class_code="individual",
        statement="Please",
        state=state,
        decided_at=decided_at,
        updated_at=decided_at,
    )


def _reminder_email(membership) -> OutgoingEmail:
    email = _email(membership.user.email)
    Reminder.objects.create(
        membership=membership, term_expires_at=membership.expires_at, offset_days=30, email=email
    )
    return email


def test_rejected_and_withdrawn_applications_go_after_a_year_and_approved_ones_stay(clock):
    start = clock.now()
    rejected = _application(ApplicationState.REJECTED, decided_at=start)
    withdrawn = _application(ApplicationState.WITHDRAWN, decided_at=start)
    approved = _application(ApplicationState.APPROVED, decided_at=start)
    clock.advance(days=364)
    assert retention_apply()["closed_applications"] == 0
    clock.advance(days=2)
    assert retention_apply()["closed_applications"] == 2
    remaining = set(MembershipApplication.objects.values_list("pk", flat=True))
    assert approved.pk in remaining and not {rejected.pk, withdrawn.pk} & remaining


def test_the_email_log_goes_after_90_days_but_current_reminders_stay(clock):
    old = _email()
    current = make_member()
    kept = _reminder_email(current)
    ended = make_member()
    dropped = _reminder_email(ended)
    membership_end(membership=ended, actor=None)
    clock.advance(days=89)
    assert retention_apply()["email_log"] == 0
    clock.advance(days=2)
    fresh = _email()
    assert retention_apply()["email_log"] == 2
    remaining = set(OutgoingEmail.objects.values_list("pk", flat=True))
    assert {kept.pk, fresh.pk} <= remaining and not {old.pk, dropped.pk} & remaining
    # The reminder rows stay; the ended membership's no longer points at an email.
    assert Reminder.objects.get(membership=ended).email is None


def test_invitations_never_accepted_go_30_days_after_they_expire(clock):
    org = OrganisationFactory()
    now = clock.now()
    expired = Invitation.objects.create(
        organisation=org,
        email="a@example.org",
        role="alternate",
        invited_by=org.representative,
        expires_at=now,
    )
    accepted = Invitation.objects.create(
        organisation=org,
        email="b@example.org",
        role="alternate",
        invited_by=org.representative,
        expires_at=now,
        accepted_at=now,
    )
    revoked = Invitation.objects.create(
        organisation=org,
        email="c@example.org",
        role="alternate",
        invited_by=org.representative,
        expires_at=now + dt.timedelta(days=14),
        revoked_at=now,
    )
    clock.advance(days=29)
    assert retention_apply()["expired_invitations"] == 0
    clock.advance(days=2)
    assert retention_apply()["expired_invitations"] == 2
    assert list(Invitation.objects.values_list("pk", flat=True)) == [accepted.pk]
    assert not {expired.pk, revoked.pk} & set(Invitation.objects.values_list("pk", flat=True))


def test_api_tokens_unused_for_a_year_go(clock):
    user = UserFactory()
    api_token_create(user=user, name="never used")
    used, _secret = api_token_create(user=user, name="used")
    clock.advance(days=300)
    ApiToken.objects.filter(pk=used.pk).update(last_used_at=clock.now())
    clock.advance(days=66)
    assert retention_apply()["api_tokens"] == 1
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["used"]


def test_running_twice_deletes_nothing_more_and_audits_once(clock):
    _application(ApplicationState.REJECTED, decided_at=clock.now())
    _email()
    clock.advance(days=400)
    first = retention_apply()
    assert first["closed_applications"] == 1 and first["email_log"] == 1
    assert set(retention_apply().values()) == {0}
    (entry,) = AuditEntry.objects.filter(action="retention.applied")
    assert entry.data["deleted"] == {"closed_applications": 1, "email_log": 1}
    assert entry.actor_ref == "system"


def test_the_periods_come_from_the_rule_set_in_force(clock):
    RuleSet.objects.update(retention_email_log_days=10)
    old = _email()
    clock.advance(days=11)
    assert retention_apply()["email_log"] == 1
    assert not OutgoingEmail.objects.filter(pk=old.pk).exists()


def test_the_scheduled_task_runs_the_rules_daily(clock):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "core.apply_retention" in schedule
    _email()
    clock.advance(days=91)
    assert apply_retention()["email_log"] == 1
