"""What a signed-in person sees first: a registry that the apps fill in their ``AppConfig.ready()``.

Core knows no app. Each app registers

- a *panel*: a context key and a function ``(user) -> value`` (``members`` registers
  ``member``, ``elections`` registers ``election_prompts``), read by the dashboard template;
- *work links*: a privileged page, its label and the ``can_*`` check that opens it, so the
  "Your work" card is built from the same permission functions as the pages themselves.

The dashboard view only collects and sorts what was registered (pretix's dashboard signal,
without the signal machinery: registration order is deterministic and typed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.access import assuming_second_factor, is_authenticated


@dataclass(frozen=True)
class Panel:
    key: str
    build: Callable[..., Any]
    order: int


@dataclass(frozen=True)
class WorkLink:
    label: str | Promise
    url_name: str
    allowed: Callable[[Any], bool]
    order: int


_panels: dict[str, Panel] = {}
_work_links: dict[str, WorkLink] = {}


def register_panel(key: str, build: Callable[..., Any], *, order: int = 100) -> None:
    """Add ``key`` to the dashboard's context, computed as ``build(user=user)``."""
    _panels[key] = Panel(key=key, build=build, order=order)


def register_work_link(
    url_name: str, label: str | Promise, allowed: Callable[[Any], bool], *, order: int = 100
) -> None:
    """Offer the page ``url_name`` in "Your work" to whoever ``allowed(user)`` lets in."""
    _work_links[url_name] = WorkLink(label=label, url_name=url_name, allowed=allowed, order=order)


def _staff(user: Any) -> bool:
    return is_authenticated(user) and bool(user.is_staff)


register_work_link("admin:index", _("Django admin"), _staff, order=1000)


def work_links(*, user: Any) -> list[tuple[str, str]]:
    """The privileged pages this person's roles open, from the same checks the pages use."""
    links = sorted(_work_links.values(), key=lambda link: (link.order, link.url_name))
    # Offered on what the roles open; the page itself asks for the code if this session has not.
    with assuming_second_factor(user):
        return [(str(link.label), reverse(link.url_name)) for link in links if link.allowed(user)]


def dashboard_context(*, user: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        panel.key: panel.build(user=user) for panel in sorted(_panels.values(), key=lambda p: p.order)
    }
    context["work"] = work_links(user=user)
    return context
