"""Elections: the rules they run under, the election, its roll, candidates, ballots and disputes.

One module per subject; this package re-exports them so ``from elections.models import X``
works, and so do the old migrations' references (``elections.models.new_tracker_code``,
``elections.models.reference_voting_reminder_offsets``).
"""

from elections.models.ballots import (
    Ballot,
    BallotKey,
    PendingReceipt,
    SealedBallot,
    Tracker,
    new_tracker_code,
)
from elections.models.disputes import Dispute
from elections.models.elections import (
    FINISHED_STATES,
    RANKED_METHODS,
    VOTING_STATES,
    Election,
    ElectionState,
    Method,
)
from elections.models.nominations import Candidate, CandidateState, Nomination
from elections.models.packages import CountPackage
from elections.models.reminders import VotingReminder
from elections.models.roll import RollCorrection, RollEntry
from elections.models.rules import (
    BallotPublication,
    CountFallback,
    ElectionRules,
    reference_voting_reminder_offsets,
)

__all__ = [
    "FINISHED_STATES",
    "RANKED_METHODS",
    "VOTING_STATES",
    "Ballot",
    "BallotKey",
    "BallotPublication",
    "Candidate",
    "CandidateState",
    "CountFallback",
    "CountPackage",
    "Dispute",
    "Election",
    "ElectionRules",
    "ElectionState",
    "Method",
    "Nomination",
    "PendingReceipt",
    "RollCorrection",
    "RollEntry",
    "SealedBallot",
    "Tracker",
    "VotingReminder",
    "new_tracker_code",
    "reference_voting_reminder_offsets",
]
