"""Every members page is guarded by ``core.access.permission_required`` with a check from
``members.permissions``, except the two that are public by design."""

from __future__ import annotations

import pytest
from django.urls import URLPattern

from members import permissions
from members.manage import urls as manage_urls
from members.views import urls as public_urls

# Open to anonymous visitors: the public directory, and an invitation link (which shows
# whom it is for and offers to sign in).
PUBLIC = {"members:directory", "members:invitation_accept"}


def _patterns() -> list[tuple[str, URLPattern]]:
    return [
        (f"{module.app_name}:{pattern.name}", pattern)
        for module in (public_urls, manage_urls)
        for pattern in module.urlpatterns
        if isinstance(pattern, URLPattern)
    ]


@pytest.mark.parametrize(("name", "pattern"), _patterns(), ids=[name for name, _ in _patterns()])
def test_every_page_is_guarded_by_a_members_permission(name, pattern):
    check = getattr(pattern.callback, "charter_permission", None)
    if name in PUBLIC:
        assert check is None, f"{name} is public: drop it from PUBLIC or its guard"
        return
    assert check is not None, f"{name} has no @permission_required"
    assert getattr(permissions, check.__name__, None) is check


def test_the_public_list_names_existing_pages():
    assert {name for name, _ in _patterns()} >= PUBLIC
