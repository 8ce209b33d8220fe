"""Governance models, one module per subject, re-exported here.

``from governance.models import Seat`` keeps working wherever the class lives:
- ``board``: cohorts, seats and seat holdings;
- ``committees``: committees, their memberships, conflict-of-interest declarations;
- ``meetings``: meetings, agenda, attendance, minutes and their published versions;
- ``decisions``: decisions and their roll-call votes;
- ``policies``: policies, their versions, and the public change history;
- ``consents``: written consents and the directors' confirmed votes;
- ``suspensions``: suspensions of members, ordered and lifted by decisions of the register.
"""

from governance.models.board import Cohort, HoldingEnd, HoldingSource, Seat, SeatHolding, SeatHoldingQuerySet
from governance.models.committees import (
    Committee,
    CommitteeKind,
    CommitteeMembership,
    CommitteeMembershipQuerySet,
    ConflictDeclaration,
)
from governance.models.consents import ConsentChoice, ConsentStatus, ConsentVote, WrittenConsent
from governance.models.decisions import Decision, DecisionKind, Outcome, Vote, VoteChoice
from governance.models.meetings import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    MinutesVersion,
)
from governance.models.policies import ChangeRecord, Policy, PolicyKind, PolicyVersion
from governance.models.suspensions import Suspension, SuspensionStatus

__all__ = [
    "AgendaItem",
    "Attendance",
    "AttendanceStatus",
    "ChangeRecord",
    "Cohort",
    "Committee",
    "CommitteeKind",
    "CommitteeMembership",
    "CommitteeMembershipQuerySet",
    "ConflictDeclaration",
    "ConsentChoice",
    "ConsentStatus",
    "ConsentVote",
    "Decision",
    "DecisionKind",
    "HoldingEnd",
    "HoldingSource",
    "Meeting",
    "MeetingKind",
    "MeetingStatus",
    "Minutes",
    "MinutesStatus",
    "MinutesVersion",
    "Outcome",
    "Policy",
    "PolicyKind",
    "PolicyVersion",
    "Seat",
    "SeatHolding",
    "SeatHoldingQuerySet",
    "Suspension",
    "SuspensionStatus",
    "Vote",
    "VoteChoice",
    "WrittenConsent",
]
