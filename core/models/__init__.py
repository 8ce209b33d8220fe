"""Ground models: users, the audit chain, the outbox, mail, API tokens, the rule set and roles,
erasure requests.

One module per subject; this package re-exports them so ``from core.models import X`` works.
"""

from core.models.api import ApiToken, SigningKey
from core.models.audit import AuditEntry, AuditHead, PublishedHead
from core.models.health import Heartbeat
from core.models.mail import OutgoingEmail
from core.models.outbox import OutboxMessage
from core.models.privacy import ErasureRequest, ErasureState
from core.models.roles import Role, RoleAssignment, RoleAssignmentQuerySet
from core.models.rules import MAJORITY_BASES, RuleSet
from core.models.users import User, UserManager

__all__ = [
    "MAJORITY_BASES",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "ErasureRequest",
    "ErasureState",
    "Heartbeat",
    "OutboxMessage",
    "OutgoingEmail",
    "PublishedHead",
    "Role",
    "RoleAssignment",
    "RoleAssignmentQuerySet",
    "RuleSet",
    "SigningKey",
    "User",
    "UserManager",
]
