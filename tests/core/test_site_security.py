"""Our templates work under `script-src 'self'; style-src 'self'`: no inline styles or scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory, make_member

TEMPLATES = Path(settings.BASE_DIR) / "templates"
OUR_TEMPLATES = sorted(
    [TEMPLATES / "base.html"]
    + [
        path
        for folder in ("partials", "core", "errors", "allauth", "account", "mfa")
        for path in (TEMPLATES / folder).rglob("*.html")
    ]
)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def inline_scripts(html: str) -> list[str]:
    """Script elements without src (JSON data blocks are not executed, so CSP allows them)."""
    return [
        attrs
        for attrs in SCRIPT_TAG.findall(html)
        if "src=" not in attrs and 'type="application/json"' not in attrs
    ]


def test_the_scan_finds_our_templates():
    names = {p.relative_to(TEMPLATES).as_posix() for p in OUR_TEMPLATES}
    assert {"base.html", "core/home.html", "errors/500.html", "allauth/layouts/base.html"} <= names


@pytest.mark.parametrize("path", OUR_TEMPLATES, ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_template_has_no_inline_style_or_script(path):
    source = path.read_text()
    assert not STYLE_ATTRIBUTE.search(source), "style= attribute: use a class from charter.css"
    assert not STYLE_ELEMENT.search(source), "<style> element: put rules in charter.css"
    assert not inline_scripts(source), "inline <script>: load a file from static/js/"
    assert not EVENT_HANDLER.search(source), "on*= handler: attach listeners in static/js/site.js"


def test_templates_use_no_external_assets():
    for path in OUR_TEMPLATES:
        source = path.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', source), path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/login/", "/accounts/signup/", "/accounts/email/", "/no-such-page/", "/dashboard/"],
)
def test_rendered_page_has_no_inline_style_or_script_and_a_strict_csp(client, path):
    user = UserFactory()
    make_member(user=user)
    client.force_login(user)
    response = client.get(path)
    html = response.content.decode()
    assert not STYLE_ATTRIBUTE.search(html)
    assert not STYLE_ELEMENT.search(html)
    assert not inline_scripts(html)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_stylesheet_and_script_are_local_files():
    static = Path(settings.BASE_DIR) / "static"
    css = (static / "css" / "charter.css").read_text()
    assert "@import" not in css and "url(http" not in css
    assert (static / "js" / "site.js").is_file()
    assert (static / "img" / "logo.svg").is_file()
