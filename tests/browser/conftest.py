"""The browser journeys' world, as close to production as a test can be.

A live server on PostgreSQL; background jobs run by a real Celery worker (through a private
Redis); mail caught by a real SMTP server on loopback; Stripe answered by the fake Stripe over
HTTP, its webhooks signed and delivered to the live server; one clock for the server, the worker
and the test (``core.clock``'s shared offset file, never a "close now" shortcut). Debian's
chromium is driven by Playwright; axe-core (bundled with axe-playwright-python, never fetched)
audits every page a journey visits, at desktop and phone sizes, with no horizontal scrolling.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from celery.contrib.testing.worker import start_worker
from celery.worker import state as worker_state
from django.db import connection
from playwright.sync_api import sync_playwright

from config.celery import app
from core import clock as core_clock
from core.models import OutboxMessage
from core.outbox import enqueue, relay_outbox
from members.billing.fakestripe import FakeStripe
from tests.servers import Mailbox, Redis, use_broker

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"
WEBHOOK_SECRET = "whsec_browser_journeys"
STRIPE_KEY = "sk_test_browser_journeys"
SERIOUS = ("serious", "critical")


def _axe_source() -> str:
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@dataclass
class Auditor:
    """Runs axe and the overflow check on each page; remembers what was visited and audited."""

    axe: str
    visited: set[str] = field(default_factory=set)
    audited: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    @staticmethod
    def key(url: str) -> str:
        parts = urlsplit(url)
        return parts.path

    def audit(self, page: Any) -> None:
        """The current page at desktop and at phone size: no serious or critical axe
        violation, and nothing wider than the window."""
        page.wait_for_load_state("load")
        original = page.viewport_size or DESKTOP
        for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            # Let the page's resize handlers run first, as they do before a person can act
            # (site.js makes table wrappers that now scroll focusable).
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                self.failures.append(f"{page.url} at {name} size scrolls sideways by {overflow}px")
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(self.axe)  # through DevTools: the site's CSP stays as it is
            result = page.evaluate(
                "async () => await axe.run(document, {resultTypes: ['violations'],"
                " rules: {'color-contrast': {enabled: true}}})"
            )
            for violation in result["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = [n["target"] for n in violation["nodes"]][:3]
                    self.failures.append(
                        f"{page.url} at {name} size: {violation['impact']} {violation['id']}: "
                        f"{violation['help']} {targets}"
                    )
        page.set_viewport_size(original)
        self.audited.add(self.key(page.url))


@dataclass
class Site:
    url: str
    mail: Mailbox
    stripe: Any
    auditor: Auditor
    browser: Any
    pages: list[Any] = field(default_factory=list)

    def new_page(self, *, phone: bool = False, locale: str = "en-GB") -> Any:
        context = self.browser.new_context(
            base_url=self.url,
            viewport=PHONE if phone else DESKTOP,
            locale=locale,
            extra_http_headers={"Accept-Language": locale},
        )
        page = context.new_page()
        page.set_default_timeout(20_000)

        def seen(frame: Any) -> None:
            if frame == page.main_frame and frame.url.startswith(self.url):
                self.auditor.visited.add(Auditor.key(frame.url))

        page.on("framenavigated", seen)
        self.pages.append(page)
        return page

    def audit(self, page: Any) -> None:
        self.auditor.audit(page)

    def go(self, page: Any, path: str) -> Any:
        """Open ``path`` and audit it."""
        response = page.goto(path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        self.audit(page)
        return response

    def advance(self, **delta: float) -> dt.datetime:
        """Move the clock of the server, the worker and the test forward."""
        return core_clock.shared_advance(dt.timedelta(**delta))

    def run_schedule(self, *task_names: str) -> None:
        """What the beat would send now: the named periodic tasks, then wait for all jobs."""
        for name in task_names:
            enqueue(name)
        self.settle()

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until every due job has been handed to the worker and the worker is idle."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            relay_outbox()
            due = OutboxMessage.objects.filter(
                sent_at__isnull=True, available_at__lte=core_clock.now()
            ).count()
            busy = len(worker_state.active_requests) + len(worker_state.reserved_requests)
            quiet = quiet + 1 if not due and not busy else 0
            if quiet >= 3:
                return
            time.sleep(0.2)
        raise AssertionError("background jobs did not finish in time")

    def login(self, page: Any, email: str, *, password: str = PASSWORD, totp_user: Any = None) -> None:
        page.goto("/accounts/login/")
        self.audit(page)
        page.locator("input[name=login]").fill(email)
        page.locator("input[name=password]").fill(password)
        page.locator("form [type=submit]").first.click()
        page.wait_for_load_state("load")
        if totp_user is not None:
            self.audit(page)
            page.locator("input[name=code]").fill(totp_code(totp_user))
            page.locator("form [type=submit]").first.click()
            page.wait_for_load_state("load")

    def logout(self, page: Any) -> None:
        page.locator("form[action$='/accounts/logout/'] [type=submit]").first.click()
        page.wait_for_load_state("load")


def totp_code(user: Any) -> str:
    secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
    # allauth checks codes against the real time, not the application's (moved) clock, and
    # only in the current 30-second window: never hand out a code about to expire.
    if 30 - time.time() % 30 < 5:
        time.sleep(30 - time.time() % 30 + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def site(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[Site]:
    if connection.vendor != "postgresql":
        pytest.skip("browser journeys need PostgreSQL: the live server and the worker share the database")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed: apt-get install chromium")

    # One clock for every process and thread: the offset file (config/settings/test.py).
    settings.CLOCK_OFFSET_FILE = str(tmp_path / "clock-offset")
    Path(settings.CLOCK_OFFSET_FILE).write_text("0", encoding="ascii")
    settings.SITE_URL = live_server.url
    settings.OUTBOX_PUBLISH_ON_COMMIT = True
    settings.RECEIPT_BATCH_MIN = 1
    settings.RECEIPT_BATCH_MINUTES = 1
    settings.RECEIPT_BATCH_SMALL_MINUTES = 1
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are
    # still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    mailbox = Mailbox()
    mailbox.start()
    mailbox.use_for(settings)
    redis = Redis()
    redis.start()
    previous_broker = (app.conf.broker_url, app.conf.broker_transport_options)
    use_broker(redis.url)
    settings.STRIPE_SECRET_KEY = STRIPE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    fake = FakeStripe(
        webhook_url=f"{live_server.url}/billing/stripe/webhook/",
        webhook_secret=WEBHOOK_SECRET,
        api_key=STRIPE_KEY,
        clock=lambda: core_clock.now().timestamp(),
        auto_deliver=True,
    )
    auditor = Auditor(axe=_axe_source())
    try:
        with fake, start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            settings.STRIPE_API_BASE = fake.url
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                world = Site(url=live_server.url, mail=mailbox, stripe=fake, auditor=auditor, browser=browser)
                yield world
                browser.close()
    finally:
        mailbox.stop()
        use_broker(previous_broker[0])
        app.conf.broker_transport_options = previous_broker[1]
        redis.stop()
    unaudited = sorted(auditor.visited - auditor.audited)
    assert not unaudited, f"pages visited but not audited: {unaudited}"
    assert not auditor.failures, "accessibility or layout failures:\n" + json.dumps(
        auditor.failures, indent=1
    )
