"""The members side of suspension: the state change, rights, and the member's own page.

Ordering and lifting a suspension by a decision of the register, and the notice period,
are governance's (tests/governance/test_suspensions.py).
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core.errors import ValidationFailed
from core.models import AuditEntry
from members.models import MembershipState
from members.rights import voting_rights
from members.services.transitions import membership_reinstate, membership_suspend
from members.tasks import run_membership_schedule
from tests.auth import sign_in
from tests.factories import RoleFactory, UserFactory, make_member, register_decision

pytestmark = pytest.mark.django_db


def _login_with_role(client, role: str):
    user = UserFactory()
    RoleFactory(user=user, role=role)
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return user


def _suspend(member, clock, decision=None):
    return membership_suspend(
        membership=member,
        actor=None,
        reason="Repeated violations of the code of conduct",
        notice_date=clock.now().date(),
        decision_number=(decision or register_decision()).number,
    )


def test_suspension_removes_voting_rights(clock):
    member = make_member()
    decision = register_decision()
    _suspend(member, clock, decision)
    rights = voting_rights(subject=member)
    assert rights.eligible is False
    assert [r.code for r in rights.reasons] == ["suspended"]
    assert decision.reference in rights.reasons[0].message
    assert member.events.get(kind="suspended").decision_number == decision.number


@pytest.mark.parametrize("number", [0, 9999, "D-1", "NO-SUCH-DECISION"])
def test_suspension_names_a_decision_of_the_register(clock, number):
    """Issue 18: the members' step took any typed reference; only the register's decisions count."""
    member = make_member()
    register_decision()
    with pytest.raises(ValidationFailed) as error:
        membership_suspend(
            membership=member, actor=None, reason="x", notice_date=clock.now().date(), decision_number=number
        )
    assert error.value.code in ("decision_not_found", "decision_required")
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE


def test_reinstatement_restores_rights_and_is_audited(clock):
    member = make_member()
    _suspend(member, clock)
    lifting = register_decision(title="Lift the suspension")
    membership_reinstate(membership=member, actor=None, decision_number=lifting.number)
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE
    assert voting_rights(subject=member).eligible is True
    assert member.events.get(kind="reinstated").decision_number == lifting.number
    assert AuditEntry.objects.filter(action="membership.reinstated", object_ref=member.number).exists()


def test_reinstatement_refuses_a_rejected_decision(clock):
    member = make_member()
    _suspend(member, clock)
    rejected = register_decision(outcome="rejected")
    with pytest.raises(ValidationFailed) as error:
        membership_reinstate(membership=member, actor=None, decision_number=rejected.number)
    assert error.value.code == "decision_not_adopted"


def test_member_sees_the_suspension_on_their_page(clock, client):
    member = make_member()
    _suspend(member, clock)
    client.force_login(member.user)
    content = client.get("/members/membership/").content.decode()
    assert "Your membership is suspended" in content
    assert "Repeated violations of the code of conduct" in content
    assert "R-0001" in content


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
