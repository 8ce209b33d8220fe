"""Who may do what with the board, its meetings, minutes and decisions.

``can_<verb>_<thing>(user, obj=None) -> bool``, used by views (through
``core.access.permission_required``) and by the services acting for a person.
"""

from __future__ import annotations

from typing import Any

from core.access import acts_as
from core.models import Role


def can_call_meeting(user: Any, meeting: Any = None) -> bool:
    """The chair calls meetings; the secretary records them (and may schedule them)."""
    return acts_as(user, Role.CHAIR, Role.SECRETARY)


def can_record_meeting(user: Any, meeting: Any = None) -> bool:
    """Attendance, agenda, roll calls: the board secretary."""
    return acts_as(user, Role.SECRETARY)


def can_draft_minutes(user: Any, minutes: Any = None) -> bool:
    return acts_as(user, Role.SECRETARY)


def can_publish_minutes(user: Any, minutes: Any = None) -> bool:
    return acts_as(user, Role.SECRETARY)


def can_read_drafts(user: Any, obj: Any = None) -> bool:
    """Directors and officers read draft minutes and unpublished meetings."""
    return acts_as(user, Role.DIRECTOR, Role.CHAIR, Role.SECRETARY, Role.TREASURER)


def can_open_board_pages(user: Any, obj: Any = None) -> bool:
    """The governance area under /manage/: whoever reads drafts or calls meetings."""
    return can_read_drafts(user) or can_call_meeting(user)


def can_manage_board(user: Any, obj: Any = None) -> bool:
    """Seats, officers, committees and policies: the secretary and the chair."""
    return acts_as(user, Role.SECRETARY, Role.CHAIR)


def can_declare_conflicts(user: Any, obj: Any = None) -> bool:
    """Directors and officers file their yearly conflict-of-interest declaration."""
    return can_read_drafts(user)
