"""Site-wide template helpers: ``{% load charter %}``.

- ``{% url_replace request page=n %}``: the current query string with some keys changed
  (``None`` removes a key), for pagination and filter links that keep the other filters.
- ``{% page_range page_obj as pages %}``: page numbers with ellipses for ``partials/pagination.html``.
- ``{% site_nav request as nav %}`` / ``{% account_nav request as nav %}``: the header's links,
  each marked with its ``aria-current`` value when the request is inside that section.
- ``{{ value|state_badge }}``: the badge modifier for a membership, application or election
  state (``"success"``, ``"warning"``, ...), so every app colours states the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.simple_tag
def url_replace(request: HttpRequest | None, **changes: Any) -> str:
    """``?`` + the request's query string with ``changes`` applied; other parameters are kept.

    Empty or ``None`` values remove the key. The result is HTML-escaped by the template
    engine, so it is safe inside ``href="…"``.
    """
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def page_range(page_obj: Any, on_each_side: int = 2, on_ends: int = 1) -> list[Any]:
    """Page numbers around the current one, with ``…`` (the paginator's ELLIPSIS) between runs."""
    paginator = page_obj.paginator
    return list(paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends))


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str | Promise
    current: str  # "page" on the page itself, "true" inside the section, "" elsewhere


# The public sections, in header order. Paths, not URL names: the apps own their URLconfs.
SITE_SECTIONS: tuple[tuple[str, Promise], ...] = (
    ("/members/", _("Members")),
    ("/governance/board/", _("Board")),
    ("/elections/", _("Elections")),
    ("/governance/", _("Transparency")),
    ("/api/docs/", _("API")),
)


def _reverse_or(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def _mark_current(path: str, hrefs: list[str]) -> dict[str, str]:
    """The most specific href containing ``path`` is current (so /governance/board/x marks Board,
    not Transparency)."""
    matches = [h for h in hrefs if h != "/" and path.startswith(h)]
    if not matches:
        return {}
    best = max(matches, key=len)
    return {best: "page" if path == best else "true"}


def _items(request: HttpRequest | None, entries: list[tuple[str, Any]]) -> list[NavItem]:
    path = request.path if request is not None else ""
    current = _mark_current(path, [href for href, _label in entries])
    return [NavItem(href, label, current.get(href, "")) for href, label in entries]


@register.simple_tag
def site_nav(request: HttpRequest | None) -> list[NavItem]:
    return _items(request, list(SITE_SECTIONS))


@register.simple_tag
def account_nav(request: HttpRequest | None) -> list[NavItem]:
    """Links for a signed-in person (the log-out form is rendered separately: it must POST)."""
    entries = [
        (_reverse_or("core:dashboard", "/dashboard/"), _("Dashboard")),
        (_reverse_or("profile:edit", "/settings/profile/"), _("Account")),
        (_reverse_or("mfa_index", "/accounts/2fa/"), _("Two-factor")),
    ]
    return _items(request, entries)


@register.simple_tag
def account_settings_nav(request: HttpRequest | None) -> list[NavItem]:
    """The side menu of the account pages (allauth's "manage" layout)."""
    entries = [
        (_reverse_or("profile:edit", "/settings/profile/"), _("Profile")),
        (_reverse_or("account_email", "/accounts/email/"), _("Email addresses")),
        (_reverse_or("account_change_password", "/accounts/password/change/"), _("Password")),
        (_reverse_or("mfa_index", "/accounts/2fa/"), _("Two-factor authentication")),
        (_reverse_or("tokens:list", "/settings/tokens/"), _("API tokens")),
        (_reverse_or("personal_data:index", "/settings/data/"), _("Your data")),
    ]
    return _items(request, entries)


_BADGES = {
    # elections
    "nominations_open": "info",
    "nominations_closed": "muted",
    "voting": "success",
    "extended": "warning",
    "counted": "info",
    # memberships
    "active": "success",
    "grace": "warning",
    "pending": "info",
    "lapsed": "danger",
    "suspended": "danger",
    "ended": "muted",
    # applications
    "submitted": "info",
    "needs_info": "warning",
    "approved": "success",
    "rejected": "danger",
    "withdrawn": "muted",
    # generic
    "open": "success",
    "closed": "muted",
    "draft": "muted",
    "failed": "danger",
    "cancelled": "muted",
    "certified": "success",
}


@register.filter
def state_badge(state: Any) -> str:
    """The ``badge-*`` modifier for a state code: ``<span class="badge badge-{{ s|state_badge }}">``."""
    return _BADGES.get(str(state), "muted")


@register.simple_tag
def foundation_name() -> str:
    """The foundation's name from settings, for templates rendered without context processors."""
    return str(getattr(settings, "FOUNDATION_NAME", "Charter"))
