"""The shared layout: public pages, account pages and error pages render inside base.html."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import loader
from django.test import RequestFactory

from core.views import pages as core_views
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _html(response) -> str:
    return response.content.decode()


def assert_our_layout(html: str) -> None:
    assert 'class="site-header"' in html
    assert '<main id="main"' in html
    assert 'href="#main"' in html  # skip link
    assert 'class="site-footer"' in html
    assert "/static/css/charter.css" in html


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/", "A Linux distribution that no single company controls"),
        ("/accounts/login/", 'name="login"'),
        ("/accounts/signup/", 'name="password2"'),
        ("/accounts/password/reset/", 'name="email"'),
    ],
)
def test_public_page_renders_in_our_layout(client, path, marker):
    response = client.get(path)
    assert response.status_code == 200
    html = _html(response)
    assert_our_layout(html)
    assert marker in html


def test_account_entrance_pages_use_the_narrow_card_layout(client):
    html = _html(client.get("/accounts/login/"))
    assert 'class="auth-entrance"' in html
    assert 'class="form"' in html
    assert 'class="btn btn-primary btn-block"' in html


def test_anonymous_header_offers_log_in_and_join(client):
    html = _html(client.get("/"))
    assert 'href="/accounts/login/"' in html
    assert 'href="/accounts/signup/"' in html
    assert "Log out" not in html


def test_signed_in_header_has_dashboard_account_two_factor_and_a_post_logout(client):
    user = UserFactory(full_name="Grace Hopper")
    client.force_login(user)
    html = _html(client.get("/"))
    assert 'href="/dashboard/"' in html
    assert 'href="/settings/profile/"' in html  # "Account": the profile, with the settings menu
    assert 'href="/accounts/2fa/"' in html
    assert "Grace Hopper" in html
    assert re.search(r'<form class="inline-form" method="post" action="/accounts/logout/">', html)
    assert 'name="csrfmiddlewaretoken"' in html


def test_main_navigation_links_every_section(client):
    html = _html(client.get("/"))
    for href in ("/members/", "/governance/board/", "/elections/", "/governance/", "/api/docs/"):
        assert f'href="{href}"' in html


def test_footer_links_the_rules_in_force_and_credits_charter(client):
    html = _html(client.get("/"))
    assert 'href="/governance/rules/"' in html
    assert "Powered by Charter" in html


def test_login_error_is_shown_as_an_alert(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    assert response.status_code == 200
    html = _html(response)
    assert 'class="alert alert-error" role="alert"' in html


def test_manage_pages_have_the_account_side_menu(client):
    user = UserFactory()
    client.force_login(user)
    for path in ("/accounts/email/", "/accounts/2fa/"):
        response = client.get(path)
        assert response.status_code == 200
        html = _html(response)
        assert_our_layout(html)
        assert 'class="account-menu card"' in html
        assert f'href="{path}" aria-current="page"' in html


def test_totp_activation_shows_the_qr_code_as_a_data_image(client):
    user = UserFactory()
    client.force_login(user)
    # allauth asks for the password again before two-factor settings change.
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    html = _html(response)
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="[^"]*" class="qr"', html)
    # The CSP allows data: images, so the QR code displays.
    assert "img-src 'self' data:" in response["Content-Security-Policy"]


def test_404_page_renders_in_our_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = _html(response)
    assert_our_layout(html)
    assert "Page not found" in html


def test_403_page_shows_the_reason():
    request = RequestFactory().get("/manage/secret/")
    request.user = AnonymousUser()
    response = core_views.error_403(request, PermissionError("Only the election committee may do this."))
    assert response.status_code == 403
    html = _html(response)
    assert_our_layout(html)
    assert "Only the election committee may do this." in html


def test_500_page_renders_without_request_or_context_processors():
    html = loader.get_template("errors/500.html").render({})
    assert "/static/css/charter.css" in html
    assert "Something went wrong" in html
    assert "Open Enterprise Linux Foundation" in html or "<title>" in html


def test_500_view_needs_no_database():
    request = RequestFactory().get("/")
    response = core_views.error_500(request)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def _turn_on_two_factor(user) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)


def test_recovery_codes_page_renders_in_the_account_layout(client):
    user = UserFactory()
    _turn_on_two_factor(user)
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.get("/accounts/2fa/recovery-codes/")
    assert response.status_code == 200
    html = _html(response)
    assert 'class="account-menu card"' in html
    assert '<textarea class="codes"' in html and "readonly" in html


def test_two_factor_login_step_uses_the_entrance_layout(client):
    user = UserFactory()
    _turn_on_two_factor(user)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    html = _html(client.get(response["Location"]))
    assert 'class="auth-entrance"' in html
    assert 'name="code"' in html


def test_style_guide_renders_every_component():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = loader.render_to_string("core/styleguide.html", request=request)
    for css_class in (
        "page-header",
        "badge badge-warning",
        "alert alert-error",
        "table-wrap",
        "bar-chart",
        "filters",
    ):
        assert css_class in html
