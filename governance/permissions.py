"""Who may do what with the board, its meetings, minutes and decisions.

``can_<verb>_<thing>(user, obj=None) -> bool``, used by views (through
``core.access.permission_required``) and by the services acting for a person.
"""

from __future__ import annotations

from typing import Any

from core.access import acts_as, is_authenticated
from core.models import Role
from governance.models import HoldingSource, SeatHolding


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


def can_declare_conflicts(user: Any, person: Any = None) -> bool:
    """Directors and officers file their own yearly conflict-of-interest declaration."""
    return can_read_drafts(user) and (person is None or person.pk == user.pk)


def can_seat_elected(user: Any, obj: Any = None) -> bool:
    """Seating an election's result (a cohort's new term, then its seats, and when its next
    election is due): the secretary and the chair, or the election committee's chair, who
    certifies the result and so seats the elected."""
    return can_manage_board(user) or acts_as(user, Role.ELECTION_COMMITTEE_CHAIR)


def can_fill_seat(user: Any, source: str | None = None) -> bool:
    """Seats are filled by the secretary and the chair; an election's result also by
    whoever seats the elected (see :func:`can_seat_elected`)."""
    if source == HoldingSource.ELECTION:
        return can_seat_elected(user)
    return can_manage_board(user)


def can_declare_employer(user: Any, holding: Any = None) -> bool:
    """A director declares their own employer; the secretary and the chair may record it."""
    own = holding is not None and is_authenticated(user) and holding.person_id == user.pk
    return own or can_manage_board(user)


def can_propose_written_consent(user: Any, obj: Any = None) -> bool:
    """The secretary puts a resolution to the directors in writing."""
    return acts_as(user, Role.SECRETARY)


def can_vote_written_consent(user: Any, consent: Any = None) -> bool:
    """Each director in office confirms their own vote, while the consent is open."""
    if not acts_as(user, Role.DIRECTOR) or not is_authenticated(user):
        return False
    if not SeatHolding.objects.active().filter(person_id=user.pk).exists():
        return False
    return consent is None or consent.is_open
