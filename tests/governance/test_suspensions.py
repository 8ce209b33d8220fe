"""Suspension and its lifting: by an adopted decision of the register, after the notice period.

Issue 11 ("Suspension without a decision"): a typed ``decision_ref=D-1`` and a notice date in
year 1 used to suspend a member at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils.formats import date_format

from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry, RuleSet
from core.rules import rules_in_force
from governance.models import Suspension, SuspensionStatus, VoteChoice
from governance.services.suspensions import membership_reinstate, membership_suspend, suspensions_apply_due
from members.models import MembershipState
from members.rights import voting_rights
from members.services.transitions import membership_end
from members.tasks import run_membership_schedule
from tests.auth import sign_in
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    UserFactory,
    as_legacy_reference,
    make_member,
    suspend_member,
)

pytestmark = pytest.mark.django_db
S = MembershipState
REASON = "Repeated violations of the code of conduct"
# The clock fixture stands at 2026-06-01 12:00 UTC; the reference notice is 30 days.
EFFECTIVE = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


@pytest.fixture
def decisions(board):
    """One adopted and one rejected decision of the register."""
    d = board.directors(3)
    adopted = board.decide(title="Suspend a member")
    rejected = board.decide(title="Suspend someone else", votes=dict.fromkeys(d, VoteChoice.NO))
    assert adopted.outcome == "adopted" and rejected.outcome == "rejected"
    return adopted, rejected


@pytest.fixture
def lifting(board, decisions):
    return board.decide(title="Lift the suspension")


def _officer(client, role: str = "secretary"):
    user = UserFactory()
    RoleFactory(user=user, role=role)
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return user


def _form(clock, chosen, /, **changes: str) -> dict[str, str]:
    return {
        "decision": str(chosen.number),
        "reason": REASON,
        "notice_date": clock.now().date().isoformat(),
        **changes,
    }


def _suspend(decision, member, clock, actor=None):
    return membership_suspend(
        actor=actor or RoleFactory(role="secretary").user,
        membership=member,
        decision=decision,
        notice_date=clock.now().date(),
        reason=REASON,
    )


def _nothing_stored(member) -> None:
    member.refresh_from_db()
    assert member.state == S.ACTIVE
    assert not Suspension.objects.filter(membership=member).exists()
    assert not AuditEntry.objects.filter(action__startswith="suspension.").exists()


# --- The decision comes from the register ------------------------------------------------


def test_a_typed_reference_is_refused(clock, client, decisions):
    member = make_member()
    _officer(client)
    response = client.post(
        f"/manage/members/{member.number}/suspend/",
        {"decision_ref": "D-1", "decision": "D-1", "reason": REASON, "notice_date": "2026-06-01"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    _nothing_stored(member)


def test_a_rejected_decision_is_refused_by_the_page(clock, client, decisions):
    _, rejected = decisions
    member = make_member()
    _officer(client)
    response = client.post(f"/manage/members/{member.number}/suspend/", _form(clock, rejected))
    assert response.status_code == 200
    _nothing_stored(member)


def test_a_decision_not_adopted_is_refused_by_the_service(clock, decisions):
    _, rejected = decisions
    member = make_member()
    with pytest.raises(ValidationFailed) as error:
        _suspend(rejected, member, clock)
    assert error.value.code == "decision_not_adopted"
    _nothing_stored(member)


def test_the_page_offers_only_adopted_decisions_in_a_select(clock, client, decisions):
    adopted, rejected = decisions
    member = make_member()
    _officer(client, "chair")
    content = client.get(f"/manage/members/{member.number}/suspend/").content.decode()
    assert '<select name="decision"' in content
    assert f'value="{adopted.number}"' in content and adopted.reference in content
    assert f'value="{rejected.number}"' not in content
    assert 'name="decision_ref"' not in content


# --- Notice ----------------------------------------------------------------------------------


def test_a_notice_date_in_the_past_is_refused(clock, client, decisions):
    adopted, _ = decisions
    member = make_member()
    _officer(client)
    response = client.post(
        f"/manage/members/{member.number}/suspend/", _form(clock, adopted, notice_date="2026-05-31")
    )
    assert response.status_code == 200
    assert "cannot be in the past" in response.content.decode()
    _nothing_stored(member)


@pytest.mark.parametrize(
    "notice_date", ["0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "x", "2027-06-03"]
)
def test_absurd_notice_dates_are_a_form_error_not_a_500(clock, client, decisions, notice_date):
    adopted, _ = decisions
    member = make_member()
    _officer(client)
    response = client.post(
        f"/manage/members/{member.number}/suspend/", _form(clock, adopted, notice_date=notice_date)
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or "error" in response.content.decode()
    _nothing_stored(member)


@pytest.mark.parametrize("decision", ["99999999999999999999", "-1", "0", "", "R-0001"])
def test_absurd_decision_values_are_a_form_error_not_a_500(clock, client, decisions, decision):
    member = make_member()
    _officer(client)
    response = client.post(
        f"/manage/members/{member.number}/suspend/", _form(clock, decisions[0], decision=decision)
    )
    assert response.status_code == 200
    _nothing_stored(member)


def test_the_member_keeps_their_rights_until_the_notice_period_has_run(clock, decisions):
    adopted, _ = decisions
    member = make_member()
    suspension = _suspend(adopted, member, clock)
    assert suspension.status == SuspensionStatus.PENDING
    assert suspension.effective_at == EFFECTIVE
    member.refresh_from_db()
    assert member.state == S.ACTIVE
    assert voting_rights(subject=member).eligible is True

    clock.set("2026-06-30T23:50:00+00:00")
    run_membership_schedule()
    member.refresh_from_db()
    assert member.state == S.ACTIVE
    assert voting_rights(subject=member).eligible is True

    clock.set("2026-07-01T00:10:00+00:00")
    assert run_membership_schedule()["suspended"] == 1
    assert run_membership_schedule()["suspended"] == 0  # safe to run twice
    member.refresh_from_db()
    assert member.state == S.SUSPENDED
    rights = voting_rights(subject=member)
    assert rights.eligible is False
    assert [r.code for r in rights.reasons] == ["suspended"]
    assert adopted.reference in rights.reasons[0].message
    # History is dated when the notice ran out, not when the job ran.
    assert voting_rights(subject=member, at=EFFECTIVE - dt.timedelta(seconds=1)).eligible is True
    assert voting_rights(subject=member, at=EFFECTIVE).eligible is False
    [event] = member.events.filter(kind="suspended")
    assert (event.at, event.decision_number, event.decision_ref) == (
        EFFECTIVE,
        adopted.number,
        adopted.reference,
    )
    suspension.refresh_from_db()
    assert suspension.status == SuspensionStatus.EFFECTIVE


def test_the_notice_period_is_the_rule_sets(clock, decisions):
    RuleSet.objects.filter(pk=rules_in_force().pk).update(suspension_notice_days=10)
    member = make_member()
    suspension = _suspend(decisions[0], member, clock)
    assert suspension.effective_at == dt.datetime(2026, 6, 11, tzinfo=dt.UTC)


def test_with_no_notice_period_the_suspension_takes_effect_at_once(clock, decisions):
    RuleSet.objects.filter(pk=rules_in_force().pk).update(suspension_notice_days=0)
    member = make_member()
    suspension = _suspend(decisions[0], member, clock)
    assert suspension.status == SuspensionStatus.EFFECTIVE
    member.refresh_from_db()
    assert member.state == S.SUSPENDED
    assert voting_rights(subject=member).eligible is False


def test_the_member_is_told_the_decision_and_the_date_it_takes_effect(clock, client, decisions, run_jobs):
    adopted, _ = decisions
    org = OrganisationFactory()
    member = make_member(organisation=org, class_code="gold")
    _officer(client)
    response = client.post(f"/manage/members/{member.number}/suspend/", _form(clock, adopted))
    assert response.status_code == 302
    run_jobs()
    [message] = [m for m in mail.outbox if member.number in m.subject]
    assert message.to == [org.representative.email]
    assert REASON in message.body and adopted.reference in message.body
    # The date as the email's language writes it (English here: "July 1, 2026").
    assert date_format(dt.date(2026, 7, 1), "DATE_FORMAT") in message.body


def test_the_register_and_the_audit_name_the_decision(clock, decisions):
    adopted, _ = decisions
    member = make_member()
    suspension = _suspend(adopted, member, clock)
    entry = AuditEntry.objects.get(action="suspension.ordered")
    assert entry.data["decision"] == adopted.audit_ref
    assert entry.data["membership"] == member.number
    clock.set("2026-07-01T00:00:00+00:00")
    suspensions_apply_due()
    effective = AuditEntry.objects.get(action="suspension.effective")
    assert (effective.object_type, effective.object_ref) == ("governance.suspension", suspension.audit_ref)
    assert AuditEntry.objects.get(action="membership.suspended").data["decision"] == adopted.reference


def test_a_second_suspension_while_one_is_pending_is_refused(clock, client, decisions):
    adopted, _ = decisions
    member = make_member()
    _suspend(adopted, member, clock)
    _officer(client)
    response = client.post(f"/manage/members/{member.number}/suspend/", _form(clock, adopted))
    assert response.status_code == 200
    assert "already pending" in response.content.decode()
    assert Suspension.objects.filter(membership=member).count() == 1


def test_a_membership_that_ends_during_the_notice_is_never_suspended(clock, decisions):
    member = make_member()
    suspension = _suspend(decisions[0], member, clock)
    membership_end(membership=member, actor=None, reason="Left")
    clock.set("2026-07-02T00:00:00+00:00")
    run_membership_schedule()
    member.refresh_from_db()
    suspension.refresh_from_db()
    assert member.state == S.ENDED
    assert suspension.status == SuspensionStatus.VOID


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["membership_committee", "treasurer", "director"])
def test_only_the_secretary_or_the_chair_suspends(clock, client, decisions, role):
    member = make_member()
    _officer(client, role)
    url = f"/manage/members/{member.number}/suspend/"
    assert client.get(url).status_code == 403
    assert client.post(url, _form(clock, decisions[0])).status_code == 403
    _nothing_stored(member)


def test_the_services_check_their_actor(clock, decisions, lifting):
    member = make_member()
    committee = RoleFactory(role="membership_committee").user
    with pytest.raises(NotAllowed):
        _suspend(decisions[0], member, clock, actor=committee)
    _nothing_stored(member)
    _suspend(decisions[0], member, clock)
    with pytest.raises(NotAllowed):
        membership_reinstate(actor=committee, membership=member, decision=lifting)
    assert Suspension.objects.get(membership=member).status == SuspensionStatus.PENDING


# --- Lifting ---------------------------------------------------------------------------------


def test_lifting_a_pending_suspension_means_it_never_takes_effect(clock, client, decisions, lifting):
    member = make_member()
    suspension = _suspend(decisions[0], member, clock)
    _officer(client, "chair")
    response = client.post(f"/manage/members/{member.number}/reinstate/", {"decision": lifting.number})
    assert response.status_code == 302
    suspension.refresh_from_db()
    assert suspension.status == SuspensionStatus.LIFTED
    assert suspension.lifted_by_decision == lifting
    clock.set("2026-07-02T00:00:00+00:00")
    run_membership_schedule()
    member.refresh_from_db()
    assert member.state == S.ACTIVE
    assert voting_rights(subject=member).eligible is True


def test_lifting_an_effective_suspension_by_another_decision(clock, client, decisions, lifting, run_jobs):
    member = make_member()
    suspension = _suspend(decisions[0], member, clock)
    clock.set("2026-07-01T00:00:00+00:00")
    suspensions_apply_due()
    clock.set("2026-07-05T10:00:00+00:00")
    _officer(client)
    response = client.post(f"/manage/members/{member.number}/reinstate/", {"decision": lifting.number})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.state == S.ACTIVE
    assert voting_rights(subject=member).eligible is True
    event = member.events.get(kind="reinstated")
    assert (event.decision_number, event.decision_ref) == (lifting.number, lifting.reference)
    suspension.refresh_from_db()
    assert suspension.status == SuspensionStatus.LIFTED
    assert AuditEntry.objects.get(action="suspension.lifted").data["decision"] == lifting.audit_ref
    run_jobs()
    assert any(lifting.reference in m.body for m in mail.outbox)


def test_lifting_needs_a_decision_from_the_register(clock, client, decisions):
    adopted, rejected = decisions
    member = make_member()
    suspension = _suspend(adopted, member, clock)
    _officer(client)
    url = f"/manage/members/{member.number}/reinstate/"
    for value in ("D-2026-020", str(rejected.number), "99999999999999999999"):
        assert client.post(url, {"decision": value, "decision_ref": value}).status_code == 200
    with pytest.raises(ValidationFailed):
        membership_reinstate(actor=RoleFactory(role="chair").user, membership=member, decision=rejected)
    with pytest.raises(ValidationFailed) as error:
        membership_reinstate(actor=RoleFactory(role="chair").user, membership=member, decision=adopted)
    assert error.value.code == "same_decision"
    suspension.refresh_from_db()
    assert suspension.status == SuspensionStatus.PENDING


def test_lifting_a_legacy_suspension(clock, decisions, lifting):
    member = make_member()
    suspend_member(member)
    as_legacy_reference(member, "D-1")
    membership_reinstate(actor=RoleFactory(role="secretary").user, membership=member, decision=lifting)
    member.refresh_from_db()
    assert member.state == S.ACTIVE


def test_reinstating_a_member_who_is_not_suspended_is_refused(clock, decisions, lifting):
    member = make_member()
    with pytest.raises(Conflict):
        membership_reinstate(actor=RoleFactory(role="secretary").user, membership=member, decision=lifting)


# --- The committee's member page ---------------------------------------------------------------


def test_history_shows_register_decisions_and_legacy_references(clock, client, decisions, lifting):
    adopted, _ = decisions
    legacy = make_member()
    suspend_member(legacy)
    as_legacy_reference(legacy, "Board decision 2026-09-03")
    current = make_member()
    RuleSet.objects.filter(pk=rules_in_force().pk).update(suspension_notice_days=0)
    _suspend(adopted, current, clock)
    user = _officer(client)
    RoleFactory(user=user, role="membership_committee")
    content = client.get(f"/manage/members/{legacy.number}/").content.decode()
    assert "legacy reference: Board decision 2026-09-03" in content
    content = client.get(f"/manage/members/{current.number}/").content.decode()
    assert f"decision {adopted.reference} of the register" in content
    assert "legacy reference" not in content
    assert f"/manage/members/{current.number}/reinstate/" in content
