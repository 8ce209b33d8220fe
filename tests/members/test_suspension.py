"""The members side of suspension: the state change, rights, and the member's own page.

Ordering and lifting a suspension by a decision of the register, and the notice period,
are governance's (tests/governance/test_suspensions.py).
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core.models import AuditEntry
from members.models import MembershipState
from members.rights import voting_rights
from members.services.transitions import membership_reinstate, membership_suspend
from members.tasks import run_membership_schedule
from tests.auth import sign_in
from tests.factories import RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def _login_with_role(client, role: str):
    user = UserFactory()
    RoleFactory(user=user, role=role)
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return user


def _suspend(member, clock, **kwargs):
    return membership_suspend(
        membership=member,
        actor=None,
        reason="Repeated violations of the code of conduct",
        notice_date=clock.now().date(),
        decision_ref="R-0007",
        **kwargs,
    )


def test_suspension_removes_voting_rights(clock):
    member = make_member()
    _suspend(member, clock, decision_number=7)
    rights = voting_rights(subject=member)
    assert rights.eligible is False
    assert [r.code for r in rights.reasons] == ["suspended"]
    assert "R-0007" in rights.reasons[0].message
    assert member.events.get(kind="suspended").decision_number == 7


def test_reinstatement_restores_rights_and_is_audited(clock):
    member = make_member()
    _suspend(member, clock)
    membership_reinstate(membership=member, actor=None, decision_ref="R-0008", decision_number=8)
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE
    assert voting_rights(subject=member).eligible is True
    assert member.events.get(kind="reinstated").decision_number == 8
    assert AuditEntry.objects.filter(action="membership.reinstated", object_ref=member.number).exists()


def test_member_sees_the_suspension_on_their_page(clock, client):
    member = make_member()
    _suspend(member, clock)
    client.force_login(member.user)
    content = client.get("/members/membership/").content.decode()
    assert "Your membership is suspended" in content
    assert "Repeated violations of the code of conduct" in content
    assert "R-0007" in content


def test_detail_offers_suspension_only_to_those_allowed(clock, client):
    member = make_member()
    _login_with_role(client, "membership_committee")
    assert "/suspend/" not in client.get(f"/manage/members/{member.number}/").content.decode()
    user = _login_with_role(client, "secretary")
    RoleFactory(user=user, role="membership_committee")
    assert (
        f"/manage/members/{member.number}/suspend/"
        in client.get(f"/manage/members/{member.number}/").content.decode()
    )


def test_the_membership_schedule_applies_due_suspensions(clock):
    assert run_membership_schedule()["suspended"] == 0
