"""The public privacy page: what is collected, why, for how long (the rule set in force), who sees
it (the API's who-sees-what table), how to export or erase, and what an erasure keeps."""

from __future__ import annotations

import pytest

from core.models import RuleSet
from tests.auth import sign_in
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def _page(client) -> str:
    response = client.get("/privacy/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_footer_links_the_privacy_page(client):
    assert 'href="/privacy/"' in client.get("/").content.decode()


def test_the_periods_are_read_from_the_rule_set_in_force(client):
    page = _page(client)
    assert "90 days after it was sent" in page
    assert "365 days after the decision" in page
    assert "30 days after they expired or were revoked" in page
    assert "365 days after their last use" in page
    assert "at least 7 years after issue" in page
    RuleSet.objects.update(retention_email_log_days=45, retention_invoice_years=10)
    page = _page(client)
    assert "45 days after it was sent" in page and "90 days after it was sent" not in page
    assert "at least 10 years after issue" in page


def test_the_page_lists_rolls_and_what_every_app_collects(client):
    page = _page(client)
    assert "Frozen voter rolls" in page
    for section in ("Your account", "Membership", "Dues", "Board and committees", "Elections"):
        assert section in page
    assert "Ballots: none" in page


def test_the_page_shows_who_sees_voting_rights(client):
    page = _page(client)
    assert "Who sees whether you may vote" in page
    assert "A person not in the directory" in page
    assert "Not found (the same answer as for an unknown number)" in page


def test_the_page_says_how_to_export_or_erase_and_what_is_kept(client):
    page = _page(client)
    assert 'href="/settings/data/"' in page
    assert "Published minutes, exactly as published" in page
    assert "Tax law requires the foundation to keep its invoices" in page
    assert "Your member number, class" in page


def test_the_membership_committee_finds_the_requests_on_its_dashboard(client):
    holder = RoleFactory(role="membership_committee").user
    sign_in(client, holder)
    assert 'href="/manage/privacy/erasures/"' in client.get("/dashboard/").content.decode()
