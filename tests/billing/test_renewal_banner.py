"""Issue 14 item 5: once the open invoice is paid, the dashboard stops asking to renew the old
term; banners read their term from the same standing as the voting-rights API."""

from __future__ import annotations

import pytest

from members.models import Reminder
from members.rights import current_snapshot, voting_rights
from members.selectors import member_dashboard
from members.services.reminders import reminders_send_due
from tests.billing.conftest import pay_by_checkout

pytestmark = pytest.mark.django_db


def test_paying_the_open_invoice_removes_the_renew_banner_at_once(
    fake_stripe, invoice, deliver, clock, client
):
    sponsor = invoice.membership
    representative = sponsor.organisation.representative
    old_expiry = sponsor.expires_at
    assert reminders_send_due() == 1  # 30 days before the year ends
    client.force_login(representative)
    renew_link = f"/members/renew/{sponsor.number}/"
    before = client.get("/dashboard/").content.decode()
    assert renew_link in before and f"Membership {sponsor.number}" in before

    pay_by_checkout(fake_stripe, invoice)
    deliver()

    sponsor.refresh_from_db()
    new_expiry = sponsor.expires_at
    assert new_expiry > old_expiry
    assert current_snapshot(membership=sponsor).expires_at == new_expiry  # what the API reads
    assert voting_rights(subject=sponsor).eligible
    assert member_dashboard(user=representative).open_reminders == []
    after = client.get("/dashboard/").content.decode()
    assert renew_link not in after and f"Membership {sponsor.number}" not in after
    # Not because a job closed it: the reminder row is still open; the standing decides.
    assert Reminder.objects.get(membership=sponsor).dismissed_at is None
