"""Who may do what with dues: ``can_<verb>_<thing>(user, obj=None) -> bool``."""

from __future__ import annotations

from typing import Any

from core.access import acts_as
from core.models import Role


def can_view_treasury(user: Any, obj: Any = None) -> bool:
    """The treasurer's pages: dues billed, paid and outstanding, the export."""
    return acts_as(user, Role.TREASURER, Role.STAFF)
