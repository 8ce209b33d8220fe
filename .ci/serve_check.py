"""Fetch pages from a running production stack (.ci/serve-check starts it with deploy/serve.sh).

Waits for /healthz, then for /readyz to say ready (the database migrated, Redis, the outbox,
and beat's first heartbeat run by the worker), then fetches the home page, the static file
it links to, the signing keys and a JSON API page, and finds the home page's request in the
JSON logs by its request id, with the route pattern and without the path's query string.
With --through-proxy, the same through nginx over HTTPS: Django must see HTTPS (it sends
HSTS only then, so X-Forwarded-Proto arrived and is trusted) and plain HTTP is redirected.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import ssl
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

INSECURE = ssl.create_default_context()
INSECURE.check_hostname = False
INSECURE.verify_mode = ssl.CERT_NONE  # the proxy's throwaway self-signed certificate


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=INSECURE))


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310  (our own loopback)
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(url: str, *, seconds: float, want: int = 200) -> bytes:
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        try:
            status, _, body = fetch(url)
            last = (status, body[:500])
            if status == want:
                return body
        except OSError as exc:
            last = exc
        time.sleep(0.5)
    sys.exit(f"serve check: {url} did not answer {want} within {seconds:.0f}s (last: {last!r})")


def check(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"serve check: {message}")
    print(f"  ok: {message}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--log", required=True, type=Path)
    parser.add_argument("--through-proxy", action="store_true")
    parser.add_argument("--plain", help="the proxy's plain-HTTP address (redirects to HTTPS)")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    started = time.monotonic()

    wait_for(f"{base}/healthz", seconds=120)
    ready = json.loads(wait_for(f"{base}/readyz", seconds=90))
    check(
        ready["status"] == "ok" and all(c["ok"] for c in ready["checks"].values()), f"{base}/readyz: {ready}"
    )

    request_id = f"serve-check-{uuid.uuid4().hex}"
    status, headers, body = fetch(f"{base}/?utm_source=serve-check", {"X-Request-ID": request_id})
    check(status == 200, f"GET {base}/ is 200 ({status})")
    check(headers.get("X-Request-ID") == request_id, "an incoming X-Request-ID is kept and returned")
    css = re.search(rb'href="(/static/[^"]+\.css)"', body)
    check(css is not None, "the home page links a stylesheet under /static/")
    assert css is not None
    status, headers, _ = fetch(base + css.group(1).decode())
    check(status == 200, f"GET {css.group(1).decode()} is 200 ({status}), served by WhiteNoise")
    check("max-age" in headers.get("Cache-Control", ""), "static files are cacheable")
    status, _, jwks = fetch(f"{base}/.well-known/jwks.json")
    check(status == 200 and b'"keys"' in jwks, "the signing keys are published")
    status, _, _ = fetch(f"{base}/api/v1/elections/")
    check(status == 200, f"GET {base}/api/v1/elections/ is 200 ({status})")

    if args.through_proxy:
        status, headers, _ = fetch(f"{base}/")
        check("Strict-Transport-Security" in headers, "behind the proxy Django sees HTTPS (HSTS sent)")
        check(
            bool(re.fullmatch(r"[0-9a-f]{32}", headers.get("X-Request-ID", ""))), "nginx's request id is used"
        )
        if args.plain:
            status, headers, _ = fetch(f"{args.plain}/elections/")
            check(
                status == 301 and headers.get("Location", "").startswith("https://"),
                "HTTP redirects to HTTPS",
            )
    else:
        check("Strict-Transport-Security" not in fetch(f"{base}/")[1], "plain HTTP to gunicorn gets no HSTS")

    deadline = time.monotonic() + 10
    lines: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not lines:
        for line in args.log.read_text(errors="replace").splitlines():
            if request_id in line and line.startswith("{"):
                lines.append(json.loads(line))
        time.sleep(0.2)
    check(bool(lines), "the request is in the JSON log under its request id")
    record = lines[0]
    check(record.get("logger") == "charter.request" and record.get("route") == "", f"log record: {record}")
    check("utm_source" not in json.dumps(lines), "no query string in the logs")
    print(f"serve check: {base} passed in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
