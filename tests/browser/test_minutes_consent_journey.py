"""Journey: the secretary drafts minutes pre-filled from the meeting (with a preview), proposes a
written consent and publishes approved minutes after confirming; each director confirms their
vote from the dashboard; the tally records the decision; an anonymous visitor finds the minutes
in the search."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core.outbox import run_pending_inline
from governance.models import Minutes, MinutesStatus, Outcome, WrittenConsent
from tests.browser.test_journeys import _login, page  # noqa: F401  (the page fixture)
from tests.governance.conftest import Board

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_minutes_written_consent_and_search(page, clock):  # noqa: F811
    board = Board()
    directors = board.directors(3)
    for person in [*directors, board.secretary()]:
        TOTP.activate(person, generate_totp_secret())
    march = board.meeting(title="Spring retreat", present=directors[:2])
    board.decide(meeting=march, title="Open a mirror in Nairobi", votes=dict.fromkeys(directors[:2], "yes"))

    secretary = board.secretary()
    _login(page, secretary.email, totp_user=secretary)
    page.goto(f"/manage/governance/meetings/{march.pk}/minutes/")
    draft = page.locator("textarea").input_value()
    assert "Spring retreat" in draft and "Open a mirror in Nairobi" in draft
    assert "Directors absent: Director 3" in draft
    page.get_by_role("button", name="Preview").click()
    assert "Preview (not saved)" in page.locator("main").inner_text()
    page.get_by_role("button", name="Save the draft").click()
    minutes = Minutes.objects.get(meeting=march)

    page.goto("/manage/governance/consents/new/")
    page.get_by_label("Title").fill("Buy a build server")
    page.get_by_label("Resolution text").fill("The board buys a build server.")
    page.get_by_label("Deadline (UTC)").fill("2026-06-08T12:00")
    page.get_by_role("button", name="Send to the directors").click()
    consent = WrittenConsent.objects.get()

    # Approved at a later meeting (recorded through the service), then published after confirming.
    clock.advance(days=1)
    board.decide(meeting=board.meeting(title="April meeting"), approves_minutes=minutes)
    page.goto(f"/manage/governance/meetings/{march.pk}/")
    page.get_by_role("link", name="Publish…").click()
    assert "cannot be edited" in page.locator("main").inner_text()
    page.get_by_role("button", name="Yes, publish").click()
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.PUBLISHED
    page.get_by_role("button", name="Log out").click()

    for person, choice in zip(directors, ["For", "For", "Against"], strict=True):
        _login(page, person.email, totp_user=person)
        page.goto("/dashboard/")
        page.get_by_role("link", name="Vote on Buy a build server").click()
        page.get_by_label(choice).check()
        page.get_by_role("button", name="Confirm my vote").click()
        assert "Your confirmation is final" in page.locator("main").inner_text()
        page.get_by_role("button", name="Log out").click()

    run_pending_inline()  # the worker's job: every director voted, so the tally runs at once
    consent.refresh_from_db()
    assert consent.decision is not None and consent.decision.outcome == Outcome.ADOPTED

    page.goto("/governance/")
    page.get_by_label("Search minutes, decisions, policies and elections").fill("Nairobi")
    page.get_by_role("button", name="Search").click()
    results = page.locator("main").inner_text()
    assert f"Minutes no. {minutes.number}" in results
    assert page.locator(".snippet mark").first.inner_text() == "Nairobi"
