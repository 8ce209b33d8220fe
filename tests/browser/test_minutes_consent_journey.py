"""Journey 5: the secretary drafts minutes pre-filled from the meeting (with a preview),
proposes a written consent and publishes approved minutes after confirming; each director
confirms their vote from the dashboard and the worker tallies it; an anonymous visitor finds
the minutes in the search and the feed. Every page is audited (tests/browser/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core import clock as core_clock
from governance.models import Minutes, MinutesStatus, Outcome, WrittenConsent
from tests.browser.conftest import Site, totp_code
from tests.governance.conftest import Board

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _click(site: Site, page, locator) -> None:
    locator.click()
    page.wait_for_load_state("load")
    site.audit(page)


def _login_with_code(site: Site, page, person) -> None:
    """Password, then the authenticator code, auditing both pages."""
    site.login(page, person.email)
    site.audit(page)
    page.locator("input[name=code]").fill(totp_code(person))
    _click(site, page, page.locator("form [type=submit]").first)


def test_journey_5_minutes_written_consent_and_search(site: Site):
    board = Board()
    directors = board.directors(3)
    secretary = board.secretary()
    for person in [*directors, secretary]:
        TOTP.activate(person, generate_totp_secret())
    spring = board.meeting(title="Spring retreat", present=directors[:2])
    board.decide(meeting=spring, title="Open a mirror in Nairobi", votes=dict.fromkeys(directors[:2], "yes"))

    page = site.new_page()
    _login_with_code(site, page, secretary)
    site.go(page, f"/manage/governance/meetings/{spring.pk}/minutes/")
    draft = page.locator("textarea").input_value()
    assert "Spring retreat" in draft and "Open a mirror in Nairobi" in draft
    assert "Directors absent: Director 3" in draft
    _click(site, page, page.get_by_role("button", name="Preview"))
    assert "Preview (not saved)" in page.locator("main").inner_text()
    _click(site, page, page.get_by_role("button", name="Save the draft"))
    minutes = Minutes.objects.get(meeting=spring)

    site.go(page, "/manage/governance/consents/new/")
    page.get_by_label("Title").fill("Buy a build server")
    page.get_by_label("Resolution text").fill("The board buys a build server.")
    deadline = core_clock.now() + dt.timedelta(days=7)
    page.get_by_label("Deadline (UTC)").fill(f"{deadline:%Y-%m-%dT%H:%M}")
    _click(site, page, page.get_by_role("button", name="Send to the directors"))
    consent = WrittenConsent.objects.get()

    # Approved at a later meeting (recorded through the service), then published after confirming.
    # (The clock stays put: the authenticator codes follow real time.)
    april = board.meeting(title="April meeting", at=core_clock.now() + dt.timedelta(minutes=5))
    board.decide(meeting=april, approves_minutes=minutes)
    site.go(page, f"/manage/governance/meetings/{spring.pk}/")
    _click(site, page, page.get_by_role("link", name="Publish…"))
    assert "cannot be edited" in page.locator("main").inner_text()
    _click(site, page, page.get_by_role("button", name="Yes, publish"))
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.PUBLISHED
    site.logout(page)
    site.audit(page)

    for person, choice in zip(directors, ["For", "For", "Against"], strict=True):
        _login_with_code(site, page, person)
        site.go(page, "/dashboard/")
        _click(site, page, page.get_by_role("link", name="Vote on Buy a build server"))
        page.get_by_label(choice).check()
        _click(site, page, page.get_by_role("button", name="Confirm my vote"))
        assert "Your confirmation is final" in page.locator("main").inner_text()
        site.logout(page)
        site.audit(page)

    site.settle()  # every director voted: the worker tallies at once, before the deadline
    consent.refresh_from_db()
    assert consent.decision is not None and consent.decision.outcome == Outcome.ADOPTED

    site.go(page, "/governance/")
    page.get_by_label("Search minutes, decisions, policies and elections").fill("Nairobi")
    _click(site, page, page.get_by_role("button", name="Search"))
    assert f"Minutes no. {minutes.number}" in page.locator("main").inner_text()
    assert page.locator(".snippet mark").first.inner_text() == "Nairobi"
    feed = page.request.get("/governance/minutes/feed/")
    assert "Spring retreat" in feed.text()
