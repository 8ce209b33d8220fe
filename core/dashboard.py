"""What a signed-in person sees first. Each app contributes a panel through a selector."""

from __future__ import annotations

from typing import Any


def dashboard_context(*, user: Any) -> dict[str, Any]:
    from elections.selectors import member_election_prompts
    from members.selectors import member_dashboard

    return {"member": member_dashboard(user=user), "election_prompts": member_election_prompts(user=user)}
