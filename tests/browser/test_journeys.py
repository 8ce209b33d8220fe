"""Browser journeys: Playwright driving Debian's chromium against a live server.

Run with `make browser` (not part of `make test`). Never downloads a browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt

from members.models import Membership
from tests.factories import RoleFactory, UserFactory, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page(live_server) -> Iterator[object]:
    playwright_sync = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test
    # itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        context = browser.new_context(base_url=live_server.url)
        yield context.new_page()
        browser.close()


def _login(page, email: str, *, totp_user=None) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if totp_user is not None:
        secret = decrypt(Authenticator.objects.get(user=totp_user, type="totp").data["secret"])
        import time

        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        page.locator("input[name=code]").fill(code)
        page.get_by_role("button", name="Sign In").click()


def test_a_member_sees_their_membership_and_vote_on_the_dashboard(page, clock):
    member = make_member(user=UserFactory(email="ada@example.org", full_name="Ada Lovelace"))
    _login(page, "ada@example.org")
    page.goto("/dashboard/")
    body = page.locator("main").inner_text()
    assert member.number in body
    assert "Individual" in body


def test_apply_then_committee_approves_then_member_sees_it(page, clock):
    applicant = UserFactory(email="grace@example.org", full_name="Grace Hopper")
    reviewer = RoleFactory(role="membership_committee", user=UserFactory(email="rev@example.org")).user
    TOTP.activate(reviewer, generate_totp_secret())

    _login(page, "grace@example.org")
    page.goto("/members/apply/")
    page.get_by_label("Individual").check()
    page.locator("textarea").first.fill("I package software for the distribution.")
    page.get_by_role("button", name="Submit the application").click()
    assert "Submitted" in page.locator("main").inner_text()
    page.get_by_role("button", name="Log out").click()

    _login(page, "rev@example.org", totp_user=reviewer)
    page.goto("/manage/members/applications/")
    page.get_by_role("row").filter(has_text="Grace Hopper").get_by_role("link").first.click()
    page.get_by_role("button", name="Approve the application").click()
    assert Membership.objects.get(user=applicant).state == "active"
    page.get_by_role("button", name="Log out").click()

    _login(page, "grace@example.org")
    page.goto("/dashboard/")
    assert Membership.objects.get(user=applicant).number in page.locator("main").inner_text()
