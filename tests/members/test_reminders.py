"""Renewal reminders and the membership schedule, with time travel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from core.models import OutgoingEmail
from members.models import MembershipEvent, MembershipState, Reminder
from members.selectors import member_dashboard
from members.services.reminders import reminder_dismiss, reminders_send_due
from members.services.transitions import membership_renew, membership_suspend
from members.tasks import run_membership_schedule
from tests.factories import OrganisationFactory, UserFactory, make_member, register_decision

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_a_year_of_daily_runs_sends_30_7_1_then_grace_then_lapse(clock, run_jobs):
    member = make_member()
    expiry = member.expires_at
    for _day in range(400):
        clock.advance(days=1)
        run_membership_schedule()
    reminders = list(Reminder.objects.filter(membership=member).order_by("sent_at"))
    assert [(r.offset_days, r.sent_at) for r in reminders] == [
        (30, expiry - 30 * DAY),
        (7, expiry - 7 * DAY),
        (1, expiry - 1 * DAY),
    ]
    events = {e.kind: e.at for e in MembershipEvent.objects.filter(membership=member)}
    assert events["grace_started"] == expiry
    assert events["lapsed"] == expiry + 30 * DAY
    member.refresh_from_db()
    assert member.state == MembershipState.LAPSED
    run_jobs()
    assert [m.to for m in mail.outbox] == [[member.user.email]] * 3


def test_running_every_15_minutes_and_twice_sends_each_reminder_once(clock, run_jobs):
    member = make_member()
    clock.set(member.expires_at - 30 * DAY)
    run_membership_schedule()
    clock.set(member.expires_at - 7 * DAY - dt.timedelta(hours=1))
    for _quarter in range(8):
        run_membership_schedule()
        run_membership_schedule()
        clock.advance(minutes=15)
    assert sorted(Reminder.objects.values_list("offset_days", flat=True)) == [7, 30]
    run_jobs()
    run_jobs()
    assert len(mail.outbox) == 2


def test_a_late_job_sends_only_the_nearest_due_reminder(clock):
    member = make_member()
    clock.set(member.expires_at - DAY + dt.timedelta(hours=1))
    assert reminders_send_due() == 1
    assert list(Reminder.objects.values_list("offset_days", flat=True)) == [1]
    assert reminders_send_due() == 0


def test_nothing_is_sent_before_the_first_offset(clock):
    member = make_member()
    clock.set(member.expires_at - 31 * DAY)
    assert reminders_send_due() == 0
    assert not Reminder.objects.exists()


def test_reminder_links_the_queued_email(clock):
    member = make_member()
    clock.set(member.expires_at - 30 * DAY)
    reminders_send_due()
    reminder = Reminder.objects.get()
    assert reminder.email.purpose == "membership.reminder"
    assert reminder.email.subject_ref == member.number
    assert reminder.email.to == member.user.email
    assert reminder.term_expires_at == member.expires_at


def test_organisation_reminder_goes_to_representative_and_billing_contact(clock, run_jobs):
    org = OrganisationFactory(billing_contact_email="billing@corp.example")
    member = make_member(organisation=org, class_code="gold")
    clock.set(member.expires_at - 30 * DAY)
    reminders_send_due()
    run_jobs()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org.representative.email, "billing@corp.example"])
    assert Reminder.objects.get().email.to == org.representative.email
    assert "/billing/" in mail.outbox[0].body


def test_free_class_reminder_links_to_the_renew_page(clock, run_jobs):
    member = make_member()
    clock.set(member.expires_at - 7 * DAY)
    reminders_send_due()
    run_jobs()
    assert "/members/renew/" in mail.outbox[0].body
    assert member.number in mail.outbox[0].subject


def test_suspended_member_gets_no_reminder(clock):
    member = make_member()
    membership_suspend(
        membership=member,
        actor=None,
        reason="Spam",
        notice_date=clock.now().date(),
        decision_number=register_decision().number,
    )
    clock.set(member.expires_at - DAY)
    assert reminders_send_due() == 0


def test_grace_member_gets_the_last_reminder_if_it_was_missed(clock):
    member = make_member()
    clock.set(member.expires_at + DAY)
    run_membership_schedule()
    member.refresh_from_db()
    assert member.state == MembershipState.GRACE
    assert list(Reminder.objects.values_list("offset_days", flat=True)) == [1]


def test_reminder_shows_on_the_dashboard_until_dismissed(clock, client):
    member = make_member()
    clock.set(member.expires_at - 7 * DAY)
    reminders_send_due()
    reminder = Reminder.objects.get()
    assert member_dashboard(user=member.user).open_reminders == [reminder]
    client.force_login(member.user)
    response = client.post(f"/members/reminders/{reminder.pk}/dismiss/")
    assert response.status_code == 302
    assert member_dashboard(user=member.user).open_reminders == []


def test_someone_else_cannot_dismiss_a_reminder(clock, client):
    member = make_member()
    clock.set(member.expires_at - 7 * DAY)
    reminders_send_due()
    reminder = Reminder.objects.get()
    client.force_login(UserFactory())
    response = client.post(f"/members/reminders/{reminder.pk}/dismiss/")
    assert response.status_code == 403
    reminder.refresh_from_db()
    assert reminder.dismissed_at is None


def test_dismissing_twice_keeps_the_first_time(clock):
    member = make_member()
    clock.set(member.expires_at - 7 * DAY)
    reminders_send_due()
    reminder = reminder_dismiss(reminder=Reminder.objects.get(), actor=member.user)
    first = reminder.dismissed_at
    clock.advance(hours=2)
    assert reminder_dismiss(reminder=reminder, actor=member.user).dismissed_at == first


def test_renewal_elsewhere_closes_the_old_terms_reminders_at_the_next_run(clock):
    member = make_member()
    clock.set(member.expires_at - 7 * DAY)
    reminders_send_due()
    membership_renew(membership=member)  # e.g. billing, on payment
    run_membership_schedule()
    assert Reminder.objects.get().dismissed_at == clock.now()
    assert member_dashboard(user=member.user).open_reminders == []


def test_a_renewed_member_is_not_reminded_again_for_the_old_term(clock):
    member = make_member()
    clock.set(member.expires_at - 7 * DAY)
    reminders_send_due()
    membership_renew(membership=member)
    clock.advance(days=7)
    assert reminders_send_due() == 0
    assert Reminder.objects.count() == 1


def test_reminder_offsets_come_from_the_rule_set(clock):
    from core.rules import rules_in_force

    rules = rules_in_force()
    rules.reminder_offsets_days = [14]
    rules.save()
    member = make_member()
    clock.set(member.expires_at - 20 * DAY)
    assert reminders_send_due() == 0
    clock.set(member.expires_at - 14 * DAY)
    assert reminders_send_due() == 1
    assert Reminder.objects.get().offset_days == 14


def test_reminder_audit_has_no_personal_data(clock):
    from core.models import AuditEntry

    member = make_member()
    clock.set(member.expires_at - 30 * DAY)
    reminders_send_due()
    entry = AuditEntry.objects.get(action="membership.reminder_sent")
    assert entry.object_ref == member.number
    assert member.user.email not in str(entry.data)
    assert OutgoingEmail.objects.filter(purpose="membership.reminder").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_the_same_moment_send_one_reminder(clock):
    import threading

    from django.db import connection

    member = make_member()
    clock.set(member.expires_at - 7 * DAY)
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            sent.append(reminders_send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(sent) == [0, 1]
    assert Reminder.objects.filter(membership=member).count() == 1
    assert OutgoingEmail.objects.filter(purpose="membership.reminder").count() == 1


def test_the_beat_task_runs_by_its_scheduled_name(clock, run_jobs, settings):
    from django.db import transaction

    from core.outbox import enqueue

    member = make_member()
    clock.set(member.expires_at - 30 * DAY)
    with transaction.atomic():
        enqueue(settings.CELERY_BEAT_SCHEDULE["membership-daily"]["task"])
    run_jobs()
    assert Reminder.objects.filter(membership=member, offset_days=30).exists()
    assert [m.to for m in mail.outbox] == [[member.user.email]]


def test_one_banner_per_term_however_many_reminders_were_sent(clock, client):
    """The 30-day and 7-day reminders of one term make one banner (the nearest), and
    dismissing it closes both; the next reminder of the term shows again."""
    member = make_member()
    clock.set(member.expires_at - 30 * DAY)
    reminders_send_due()
    clock.set(member.expires_at - 7 * DAY)
    reminders_send_due()
    assert Reminder.objects.count() == 2
    nearest = Reminder.objects.get(offset_days=7)
    assert member_dashboard(user=member.user).open_reminders == [nearest]
    client.force_login(member.user)
    page = client.get("/dashboard/").content.decode()
    assert page.count('href="/members/renew/"') == 2  # the banner's Renew, the card's Renew
    reminder_dismiss(reminder=nearest, actor=member.user)
    assert member_dashboard(user=member.user).open_reminders == []
    assert not Reminder.objects.filter(dismissed_at__isnull=True).exists()
    clock.set(member.expires_at - DAY)
    reminders_send_due()
    assert member_dashboard(user=member.user).open_reminders == [Reminder.objects.get(offset_days=1)]


def test_the_banner_says_expired_once_the_term_has_run_out(clock, client):
    member = make_member()
    clock.set(member.expires_at - DAY)
    run_membership_schedule()
    client.force_login(member.user)
    assert "Your membership expires on" in client.get("/dashboard/").content.decode()
    clock.set(member.expires_at + DAY)
    run_membership_schedule()  # in grace: the 1-day reminder is still open
    page = client.get("/dashboard/").content.decode()
    assert "Your membership expired on" in page and "expires on" not in page
