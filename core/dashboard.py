"""What a signed-in person sees first. Each app contributes a panel through a selector."""

from __future__ import annotations

from typing import Any


def dashboard_context(*, user: Any) -> dict[str, Any]:
    from elections.selectors import member_election_prompts
    from members.selectors import member_dashboard

    return {
        "member": member_dashboard(user=user),
        "election_prompts": member_election_prompts(user=user),
        "work": work_links(user=user),
    }


def work_links(*, user: Any) -> list[tuple[str, str]]:
    """The privileged pages this person's roles open, from the same checks the pages use."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from elections import permissions as election_permissions
    from governance import permissions as p

    links = [
        (
            p.can_review_applications(user),
            _("Review membership applications"),
            "members_manage:application_queue",
        ),
        (
            p.can_manage_members(user),
            _("Members, renewals and who was not reached"),
            "members_manage:member_list",
        ),
        (
            p.can_read_drafts(user) or p.can_call_meeting(user),
            _("Meetings, minutes and decisions"),
            "governance_manage:index",
        ),
        (p.can_manage_board(user), _("Board seats, officers and committees"), "governance_manage:board"),
        (p.can_view_treasury(user), _("Dues: billed, paid, outstanding"), "billing_manage:overview"),
        (election_permissions.can_view_committee_pages(user), _("Run elections"), "elections_manage:index"),
        (bool(user.is_staff), _("Django admin"), "admin:index"),
    ]
    return [(label, reverse(name)) for allowed, label, name in links if allowed]
