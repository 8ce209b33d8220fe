"""Browser journeys: Playwright driving Debian's chromium against a live server on PostgreSQL,
with a real worker, a real SMTP server and the fake Stripe (tests/browser/conftest.py).

Run with `make browser` (not part of `make test`; CI runs both). Never downloads a browser.
Every page a journey visits is audited with axe-core at desktop and phone sizes.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from core import clock as core_clock
from tests.browser.conftest import PASSWORD, Site
from tests.factories import RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_journey_6_a_director_without_two_factor_is_sent_to_set_it_up(site: Site):
    director = RoleFactory(
        role="director", user=UserFactory(email="dora@example.org", full_name="Dora Director")
    ).user
    page = site.new_page()
    site.login(page, "dora@example.org")
    site.audit(page)

    page.goto("/manage/governance/")
    # Sent to turn on an authenticator app (after confirming the password), told why.
    if "/accounts/reauthenticate/" in page.url:
        site.audit(page)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main form [type=submit]").first.click()
        page.wait_for_load_state("load")
    assert "/accounts/2fa/totp/activate/" in page.url, page.url
    site.audit(page)
    assert "two-factor" in page.locator("main").inner_text().lower()
    # The secret the person would type into their authenticator app, as the page shows it.
    secret = page.locator("#authenticator_secret").input_value()
    code = format_hotp_value(hotp_value(secret, int(core_clock.now().timestamp()) // 30))
    page.locator("input[name=code]").fill(code)
    page.locator("main form [type=submit]").last.click()
    page.wait_for_load_state("load")
    site.audit(page)
    assert director.authenticator_set.filter(type="totp").exists()
    page.goto("/manage/governance/")
    assert "/accounts/2fa/" not in page.url, page.url
    site.audit(page)
