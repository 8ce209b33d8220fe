"""What higher layers do when a membership changes state, without members importing them.

``membership_transition`` (members/services/transitions.py) calls every registered hook
synchronously, **inside its transaction**, after the state change and its audit entry are
written, and only when the state really changed. A hook that raises rolls the whole
transition back, so the membership and what follows from it (board seats for a new
Platinum sponsor, a vacancy when a sponsor leaves) commit together or not at all.

``governance`` registers its hook in ``GovernanceConfig.ready()``. Hooks must be
idempotent and take their own row locks after the membership's (the lock order in
docs/architecture.md): membership, then board seats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from members.models import Membership


@dataclass(frozen=True)
class MembershipTransition:
    membership: Membership
    previous_state: str
    state: str
    actor: Any


TransitionHook = Callable[[MembershipTransition], None]

_transition_hooks: list[TransitionHook] = []


def register_transition_hook(hook: TransitionHook) -> None:
    """Call ``hook`` on every membership state change (registering twice is harmless)."""
    if hook not in _transition_hooks:
        _transition_hooks.append(hook)


def run_transition_hooks(transition: MembershipTransition) -> None:
    for hook in list(_transition_hooks):
        hook(transition)
