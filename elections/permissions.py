"""Who may do what with elections: ``can_<verb>_<thing>(user, obj=None) -> bool``.

Used by views (through ``core.access.permission_required``), by the API, and by the
services acting for a person.
"""

from __future__ import annotations

from typing import Any

from core.access import acts_as, is_authenticated
from core.models import Role


def can_view_committee_pages(user: Any, election: Any = None) -> bool:
    """The committee, its chair and the board's observers see the committee's pages."""
    return acts_as(user, Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR, Role.ELECTION_OBSERVER)


def can_run_election(user: Any, election: Any = None) -> bool:
    """Create, correct the roll, cancel, close and recount: the committee (observers only look)."""
    return acts_as(user, Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR)


def can_recount_from_package(user: Any, election: Any = None) -> bool:
    """Accredited observers (and the committee) download every count package, ballots
    included even where the rule set withholds them, and recount it inside Charter."""
    return acts_as(user, Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR, Role.ELECTION_OBSERVER)


def can_certify_election(user: Any, election: Any = None) -> bool:
    """The election committee's chair settles disputes and certifies results."""
    return acts_as(user, Role.ELECTION_COMMITTEE_CHAIR)


def can_decide_dispute(user: Any, dispute: Any = None) -> bool:
    return acts_as(user, Role.ELECTION_COMMITTEE_CHAIR)


def can_cast_ballot(user: Any, election: Any = None) -> bool:
    """Signed-in people may open the ballot; whether they are on the roll is the service's check."""
    return is_authenticated(user)


def can_nominate_candidate(user: Any, election: Any = None) -> bool:
    """Signed-in people may open the form; acting for a member in good standing is the service's check."""
    return is_authenticated(user)


def can_answer_nomination(user: Any, candidate: Any = None) -> bool:
    """Signed-in people open their own candidacy; only the nominee may answer (the service's check)."""
    return is_authenticated(user)


def can_read_frozen_roll(user: Any, election: Any = None) -> bool:
    """The canonical roll text (member numbers and weights) is for signed-in people only."""
    return is_authenticated(user)


def can_file_dispute(user: Any, election: Any = None) -> bool:
    return is_authenticated(user)
