"""The language switcher: a cookie, never a URL prefix."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_footer_offers_every_configured_language(client):
    html = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    for code, _name in settings.LANGUAGES:
        assert f'<option value="{code}"' in html


def test_switcher_posts_back_to_the_page_it_is_on(client):
    html = client.get("/accounts/login/?next=/dashboard/").content.decode()
    assert '<input type="hidden" name="next" value="/accounts/login/?next=/dashboard/">' in html


def test_choosing_a_language_sets_the_cookie_and_keeps_the_url(client):
    assert settings.LANGUAGE_COOKIE_NAME == "charter_language"
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/governance/rules/"})
    assert response.status_code == 302
    assert response["Location"] == "/governance/rules/"  # no /de/ prefix
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_the_chosen_language_is_used_on_the_next_page(client):
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="ja"' in html
    assert '<option value="ja" lang="ja" selected>' in html
