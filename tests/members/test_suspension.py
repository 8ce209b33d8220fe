"""Suspension and reinstatement by board decision, through the committee pages."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from core.errors import NotAllowed
from core.models import AuditEntry
from members.models import MembershipState
from members.rights import voting_rights
from members.services.suspensions import suspension_lift, suspension_order
from members.services.transitions import membership_suspend
from tests.auth import sign_in
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def _login_with_role(client, role: str):
    user = UserFactory()
    RoleFactory(user=user, role=role)
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return user


def _suspend_form(clock) -> dict[str, str]:
    return {
        "reason": "Repeated violations of the code of conduct",
        "notice_date": clock.now().date().isoformat(),
        "decision_ref": "D-2026-014",
    }


def test_secretary_suspends_and_the_member_is_told_why(clock, client, run_jobs):
    member = make_member()
    _login_with_role(client, "secretary")
    response = client.post(f"/manage/members/{member.number}/suspend/", _suspend_form(clock))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.state == MembershipState.SUSPENDED
    run_jobs()
    [message] = mail.outbox
    assert message.to == [member.user.email]
    assert "Repeated violations of the code of conduct" in message.body
    assert "D-2026-014" in message.body
    assert member.number in message.subject


def test_suspension_removes_voting_rights(clock, client):
    member = make_member()
    _login_with_role(client, "chair")
    client.post(f"/manage/members/{member.number}/suspend/", _suspend_form(clock))
    rights = voting_rights(subject=member)
    assert rights.eligible is False
    assert [r.code for r in rights.reasons] == ["suspended"]


def test_organisation_suspension_notice_goes_to_the_representative(clock, client, run_jobs):
    org = OrganisationFactory()
    member = make_member(organisation=org, class_code="gold")
    _login_with_role(client, "secretary")
    client.post(f"/manage/members/{member.number}/suspend/", _suspend_form(clock))
    run_jobs()
    assert [m.to for m in mail.outbox] == [[org.representative.email]]


def test_committee_member_cannot_suspend(clock, client):
    member = make_member()
    _login_with_role(client, "membership_committee")
    assert client.get(f"/manage/members/{member.number}/suspend/").status_code == 403
    assert client.post(f"/manage/members/{member.number}/suspend/", _suspend_form(clock)).status_code == 403
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE


def test_suspension_needs_a_decision(clock, client):
    member = make_member()
    _login_with_role(client, "secretary")
    form = {**_suspend_form(clock), "decision_ref": "  "}
    response = client.post(f"/manage/members/{member.number}/suspend/", form)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE


def test_notice_after_the_suspension_is_refused_with_the_services_message(clock, client):
    member = make_member()
    _login_with_role(client, "secretary")
    form = {**_suspend_form(clock), "notice_date": "2030-01-01"}
    response = client.post(f"/manage/members/{member.number}/suspend/", form)
    assert response.status_code == 200
    assert "notice must have been given before" in response.content.decode()
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE


def test_reinstatement_lifts_the_suspension_and_tells_the_member(clock, client, run_jobs):
    member = make_member()
    membership_suspend(
        membership=member, actor=None, reason="x", notice_date=clock.now().date(), decision_ref="D-1"
    )
    _login_with_role(client, "secretary")
    response = client.post(f"/manage/members/{member.number}/reinstate/", {"decision_ref": "D-2026-020"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE
    assert voting_rights(subject=member).eligible is True
    run_jobs()
    assert "D-2026-020" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="membership.reinstated", object_ref=member.number).exists()


def test_reinstating_an_active_member_shows_the_message(clock, client):
    member = make_member()
    _login_with_role(client, "secretary")
    response = client.post(f"/manage/members/{member.number}/reinstate/", {"decision_ref": "D-3"})
    assert response.status_code == 200
    assert "not suspended" in response.content.decode()


def test_member_sees_the_suspension_on_their_page(clock, client):
    member = make_member()
    _login_with_role(client, "secretary")
    client.post(f"/manage/members/{member.number}/suspend/", _suspend_form(clock))
    client.force_login(member.user)
    content = client.get("/members/membership/").content.decode()
    assert "Your membership is suspended" in content
    assert "Repeated violations of the code of conduct" in content
    assert "D-2026-014" in content


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


# --- The services check their actor themselves ----------------------------------------------------


def test_suspension_service_refuses_someone_who_is_not_secretary_or_chair(clock):
    member = make_member()
    committee = UserFactory()
    RoleFactory(user=committee, role="membership_committee")
    with pytest.raises(NotAllowed):
        suspension_order(
            membership=member,
            actor=committee,
            reason="Repeated violations",
            notice_date=clock.now().date(),
            decision_ref="D-2026-014",
        )
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE
    assert not AuditEntry.objects.filter(action="membership.suspended").exists()


def test_lifting_service_refuses_someone_who_is_not_secretary_or_chair(clock):
    member = make_member()
    secretary = RoleFactory(role="secretary").user
    suspension_order(
        membership=member,
        actor=secretary,
        reason="Repeated violations",
        notice_date=clock.now().date(),
        decision_ref="D-2026-014",
    )
    with pytest.raises(NotAllowed):
        suspension_lift(membership=member, actor=UserFactory(), decision_ref="D-2026-020")
    member.refresh_from_db()
    assert member.state == MembershipState.SUSPENDED
    suspension_lift(membership=member, actor=secretary, decision_ref="D-2026-020")
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE
