"""Every page carries a Content-Security-Policy that allows only our own assets."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/docs/", "/no-such-page/"])
def test_csp_header_is_sent_and_forbids_inline_script(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_api_docs_use_locally_served_assets(client):
    html = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in html or "/static/" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
