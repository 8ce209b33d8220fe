"""Screenshots of the key pages of the demo foundation, for the README (`make screenshots`).

Builds the demo into a throw-away SQLite database, serves it with `runserver`, and drives
Debian's chromium (Playwright; never downloads a browser) through the pages as the demo's
people: an anonymous visitor, a member, the sponsor, the secretary. Saves PNGs into
docs/screenshots/ (desktop, and phone size where the page is used on phones) and prints
what it saved. Needs only the dev venv and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "charter-demo-2026"  # demo.members.DEMO_PASSWORD (not imported: no Django here)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


class Shooter:
    def __init__(self, browser: Any, url: str, out: Path, env: dict[str, str]) -> None:
        self.browser, self.url, self.out, self.env = browser, url, out, env
        self.saved: list[str] = []

    def page(self, *, phone: bool = False, locale: str = "en-GB") -> Any:
        context = self.browser.new_context(
            base_url=self.url,
            viewport=PHONE if phone else DESKTOP,
            locale=locale,
            extra_http_headers={"Accept-Language": locale},
            device_scale_factor=1,
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    def login(self, page: Any, email: str, *, totp: bool = False) -> None:
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form [type=submit]").first.click()
        page.wait_for_load_state("load")
        if totp and page.locator("input[name=code]").count():
            code = _manage(self.env, "totp_code", email).strip().split()[-1]
            page.locator("input[name=code]").fill(code)
            page.locator("main form [type=submit]").first.click()
            page.wait_for_load_state("load")

    def shot(self, page: Any, name: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(path)
        page.wait_for_load_state("networkidle")
        target = self.out / f"{name}.png"
        page.screenshot(path=str(target), full_page=False)
        self.saved.append(f"{target.relative_to(ROOT)}  ({page.url.replace(self.url, '')})")

    def links(self, page: Any, path: str, pattern: str) -> list[str]:
        """Open ``path``: the page itself if it (after redirects) matches ``pattern``, else its links that do."""
        page.goto(path)
        here = page.url.replace(self.url, "")
        if re.search(pattern, here):
            return [here]
        hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
        return [str(h) for h in hrefs if re.search(pattern, h or "")]

    def follow(self, page: Any, path: str, pattern: str, *, via: str = "") -> str | None:
        """The first link matching ``pattern`` on ``path`` (or on the pages ``path`` links to by ``via``)."""
        starts = self.links(page, path, via) if via else [path]
        for start in starts:
            found = self.links(page, start, pattern)
            if found:
                return found[0]
        print(f"  (no link matching {pattern} from {path}; skipped)")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not os.path.exists(CHROMIUM):
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
            "CELERY_BROKER_URL": f"filesystem://{tmp}",
            "SITE_URL": f"http://127.0.0.1:{port}",
        }
        env.pop("STRIPE_SECRET_KEY", None)
        print("Building the demo foundation (migrate, seed_demo)...")
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "seed_demo")
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.3)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                shooter = Shooter(browser, f"http://127.0.0.1:{port}", out, env)
                _tour(shooter)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("Saved:")
    for line in shooter.saved:
        print(f"  {line}")


def _tour(s: Shooter) -> None:
    visitor = s.page()
    s.shot(visitor, "home", "/")
    s.shot(visitor, "transparency", "/governance/")
    s.shot(visitor, "board", "/governance/board/")
    s.shot(visitor, "decisions", "/governance/decisions/")
    results = s.follow(visitor, "/elections/", r"^/elections/[^/]+/results/$", via=r"^/elections/[^/]+/$")
    if results:
        s.shot(visitor, "election-results", results)
    s.shot(s.page(phone=True), "transparency-phone", "/governance/")

    member = s.page()
    s.login(member, "member@demo.charter.invalid")
    s.shot(member, "member-dashboard", "/dashboard/")
    ballot = s.follow(member, "/dashboard/", r"^/elections/[^/]+/ballot/$")
    if ballot:
        s.shot(member, "ballot", ballot)
        phone = s.page(phone=True)
        s.login(phone, "member@demo.charter.invalid")
        s.shot(phone, "ballot-phone", ballot)
    japanese = s.page(locale="ja-JP")
    s.login(japanese, "member@demo.charter.invalid")
    s.shot(japanese, "member-dashboard-ja", "/dashboard/")

    sponsor = s.page()
    s.login(sponsor, "sponsor@demo.charter.invalid")
    organisation = s.follow(sponsor, "/billing/", r"^/billing/org/[^/]+/$")
    if organisation:
        s.shot(sponsor, "sponsor-billing", organisation)
        invoice = s.follow(sponsor, organisation, r"^/billing/org/[^/]+/invoices/[^/]+/$")
        if invoice:
            s.shot(sponsor, "sponsor-invoice", invoice)

    secretary = s.page()
    s.login(secretary, "secretary@demo.charter.invalid", totp=True)
    s.shot(secretary, "secretary-governance", "/manage/governance/")


if __name__ == "__main__":
    main()
