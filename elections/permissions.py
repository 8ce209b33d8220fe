"""Permission checks for elections: ``can_<verb>_<thing>(user, obj)``, reused by views and the API."""

from __future__ import annotations

from typing import Any

from governance.models import Role
from governance.permissions import has_role


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def can_view_committee_pages(user: Any, election: Any = None) -> bool:
    """The committee, its chair and the board's observers see the committee's pages."""
    return has_role(
        user, Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR, Role.ELECTION_OBSERVER
    ) or _superuser(user)


def can_run_election(user: Any, election: Any = None) -> bool:
    """Create, correct the roll, cancel, close and recount: the committee (observers only look)."""
    return has_role(user, Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR) or _superuser(user)


def can_certify_election(user: Any, election: Any = None) -> bool:
    return has_role(user, Role.ELECTION_COMMITTEE_CHAIR) or _superuser(user)


def can_decide_dispute(user: Any, dispute: Any = None) -> bool:
    return has_role(user, Role.ELECTION_COMMITTEE_CHAIR) or _superuser(user)


def can_cast_ballot(user: Any, election: Any = None) -> bool:
    """Signed-in people may open the ballot; whether they are on the roll is the service's check."""
    return bool(getattr(user, "is_authenticated", False))


def can_nominate_candidate(user: Any, election: Any = None) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_file_dispute(user: Any, election: Any = None) -> bool:
    return bool(getattr(user, "is_authenticated", False))
