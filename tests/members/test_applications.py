"""Applications through the services: the journey, decisions, and every refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail

from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry
from members.models import (
    Invitation,
    Membership,
    MembershipApplication,
    MembershipClass,
    MembershipEvent,
    Organisation,
    RepresentativeChange,
)
from members.rights import voting_rights
from members.services.applications import (
    application_answer,
    application_approve,
    application_ask,
    application_reject,
    application_submit_organisation,
    application_submit_personal,
    application_submit_renewal,
    application_withdraw,
)
from members.services.transitions import membership_end, membership_suspend
from tests.factories import RoleFactory, UserFactory, make_member, membership_class, register_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(clock):
    user = UserFactory()
    RoleFactory(user=user, role="membership_committee")
    return user


@pytest.fixture
def applicant(clock):
    return UserFactory()


def _org_application(applicant, **overrides):
    data = {
        "applicant": applicant,
        "class_code": "gold",
        "legal_name": "Acme Linux Inc.",
        "representative_email": "rep@acme.example",
        "proposed_group": "Acme Holdings",
        "website": "https://acme.example",
        "billing_contact_name": "Billing Dept",
        "billing_contact_email": "billing@acme.example",
    }
    data.update(overrides)
    return application_submit_organisation(**data)


def _actions() -> list[str]:
    return list(AuditEntry.objects.values_list("action", flat=True))


# --- The journey ----------------------------------------------------------------------------


def test_whole_personal_journey_ends_with_an_eligible_member(applicant, committee, clock, run_jobs):
    application = application_submit_personal(
        applicant=applicant, class_code="individual", statement="I package"
    )
    application_ask(application=application, actor=committee, body="Which packages?")
    assert application.state == "needs_info"
    application_answer(application=application, actor=applicant, body="The kernel ones.")
    assert application.state == "submitted"

    application_approve(application=application, actor=committee)

    application.refresh_from_db()
    membership = Membership.objects.get(user=applicant)
    assert application.state == "approved" and application.membership == membership
    assert membership.state == "active" and membership.class_code == "individual"
    rights = voting_rights(subject=applicant)
    assert rights.eligible is True
    assert rights.weight == membership_class("individual").vote_weight
    assert [m.from_committee for m in application.messages.all()] == [True, False]


def test_weight_comes_from_the_rule_set_not_the_code(applicant, committee):
    klass = membership_class("individual")
    klass.vote_weight = 3
    klass.save()
    application = application_submit_personal(applicant=applicant, class_code="individual")
    application_approve(application=application, actor=committee)
    assert voting_rights(subject=applicant).weight == 3


def test_question_emails_the_applicant_with_a_link(applicant, committee, run_jobs):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    run_jobs()
    mail.outbox.clear()
    application_ask(application=application, actor=committee, body="Where do you contribute?")
    run_jobs()
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert "Where do you contribute?" in mail.outbox[0].body
    assert f"/members/applications/{application.pk}/" in mail.outbox[0].body


def test_submission_is_acknowledged_by_email(applicant, run_jobs):
    application_submit_personal(applicant=applicant, class_code="individual")
    run_jobs()
    assert [m.to for m in mail.outbox] == [[applicant.email]]


def test_mirror_application_keeps_the_mirror_url_on_the_membership(applicant, committee):
    application = application_submit_personal(
        applicant=applicant, class_code="mirror", mirror_url="https://mirror.example/linux/"
    )
    application_approve(application=application, actor=committee)
    membership = Membership.objects.get(user=applicant)
    assert membership.class_code == "mirror"
    assert membership.mirror_url == "https://mirror.example/linux/"


def test_mirror_class_requires_the_mirror_url(applicant):
    with pytest.raises(ValidationFailed) as exc:
        application_submit_personal(applicant=applicant, class_code="mirror")
    assert exc.value.code == "mirror_url_required"
    assert not MembershipApplication.objects.exists()


def test_organisation_application_creates_org_representative_and_pending_membership(applicant, committee):
    rep = UserFactory(email="rep@acme.example")
    application = _org_application(applicant)
    application_approve(application=application, actor=committee)

    application.refresh_from_db()
    org = application.organisation
    assert org.legal_name == "Acme Linux Inc." and org.corporate_group.name == "Acme Holdings"
    assert not org.corporate_group.confirmed  # proposed by the applicant: the committee confirms it
    assert org.slug == "acme-linux-inc"
    assert org.representative == rep
    assert list(org.admins.all()) == [applicant]
    assert org.billing_contact_email == "billing@acme.example"
    change = RepresentativeChange.objects.get(organisation=org)
    assert (change.role, change.user, change.changed_by) == ("representative", rep, committee)
    membership = Membership.objects.get(organisation=org)
    assert membership.state == "pending" and membership.class_code == "gold"
    event = MembershipEvent.objects.get(membership=membership)
    assert (event.kind, event.state, event.actor_ref) == ("approved", "pending", committee.audit_ref)
    rights = voting_rights(subject=org)
    assert rights.eligible is False and rights.reasons[0].code == "pending"


def test_representative_without_an_account_is_invited_by_email_on_approval(applicant, committee, run_jobs):
    application = _org_application(applicant, representative_email="newcomer@acme.example")
    application_approve(application=application, actor=committee)
    run_jobs()
    org = MembershipApplication.objects.get(pk=application.pk).organisation
    assert org.representative is None
    invitation = Invitation.objects.get(organisation=org)
    assert (invitation.email, invitation.role) == ("newcomer@acme.example", "representative")
    invite_mail = [m for m in mail.outbox if m.to == ["newcomer@acme.example"]]
    assert len(invite_mail) == 1 and "/members/invitations/" in invite_mail[0].body


def test_free_organisation_class_starts_at_once(applicant, committee):
    application = _org_application(applicant, class_code="mirror", mirror_url="https://m.acme.example/")
    application_approve(application=application, actor=committee)
    membership = Membership.objects.get(organisation__legal_name="Acme Linux Inc.")
    assert membership.state == "active"


def test_paid_class_needs_a_billing_contact(applicant):
    with pytest.raises(ValidationFailed) as exc:
        _org_application(applicant, billing_contact_name="", billing_contact_email="")
    assert exc.value.code == "billing_contact_required"


def test_reject_needs_a_reason_and_emails_the_applicant(applicant, committee, run_jobs):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    with pytest.raises(ValidationFailed):
        application_reject(application=application, actor=committee, reason="  ")
    run_jobs()
    mail.outbox.clear()
    application_reject(application=application, actor=committee, reason="We could not verify who you are.")
    run_jobs()
    application.refresh_from_db()
    assert application.state == "rejected" and application.decided_by == committee
    assert application.decision_reason == "We could not verify who you are."
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert "We could not verify who you are." in mail.outbox[0].body
    assert not Membership.objects.filter(user=applicant).exists()


def test_approval_emails_the_applicant(applicant, committee, run_jobs):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    run_jobs()
    mail.outbox.clear()
    application_approve(application=application, actor=committee)
    run_jobs()
    membership = Membership.objects.get(user=applicant)
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert membership.number in mail.outbox[0].body


def test_applicant_can_withdraw_and_apply_again(applicant):
    first = application_submit_personal(applicant=applicant, class_code="individual")
    application_withdraw(application=first, actor=applicant)
    assert first.state == "withdrawn"
    second = application_submit_personal(applicant=applicant, class_code="individual")
    assert second.state == "submitted"


def test_decisions_are_audited_without_personal_data(applicant, committee):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    application_ask(application=application, actor=committee, body="Question?")
    application_answer(application=application, actor=applicant, body="Answer.")
    application_approve(application=application, actor=committee)
    actions = _actions()
    for action in (
        "membership_application.submitted",
        "membership_application.question_asked",
        "membership_application.answered",
        "membership_application.approved",
        "membership.approved",
    ):
        assert action in actions
    entry = AuditEntry.objects.get(action="membership_application.approved")
    assert entry.actor_ref == committee.audit_ref
    assert entry.data["application"] == application.pk
    dumped = str(list(AuditEntry.objects.values_list("data", flat=True)))
    assert applicant.email not in dumped and applicant.full_name not in dumped


def test_rejection_and_withdrawal_are_audited(applicant, committee):
    a = application_submit_personal(applicant=applicant, class_code="individual")
    application_withdraw(application=a, actor=applicant)
    b = application_submit_personal(applicant=applicant, class_code="individual")
    application_reject(application=b, actor=committee, reason="No.")
    assert {"membership_application.withdrawn", "membership_application.rejected"} <= set(_actions())


# --- Refusals ---------------------------------------------------------------------------------


def test_a_second_open_personal_application_is_refused(applicant):
    application_submit_personal(applicant=applicant, class_code="individual")
    with pytest.raises(Conflict) as exc:
        application_submit_personal(applicant=applicant, class_code="mirror", mirror_url="https://m.example/")
    assert exc.value.code == "duplicate_application"
    assert "already have an open application" in exc.value.message
    assert MembershipApplication.objects.count() == 1


def test_the_database_constraint_is_turned_into_the_same_error(applicant):
    # Two requests can pass the pre-check at once; the unique constraint stops the second.
    from members.services.applications import _duplicate_personal, _insert

    MembershipApplication.objects.create(applicant=applicant, class_code="individual")
    with pytest.raises(Conflict) as exc:
        _insert(
            MembershipApplication(applicant=applicant, class_code="mirror"), duplicate=_duplicate_personal()
        )
    assert exc.value.code == "duplicate_application"
    assert MembershipApplication.objects.count() == 1


def test_a_second_application_for_the_same_organisation_is_refused(applicant):
    _org_application(applicant)
    other = UserFactory()
    with pytest.raises(Conflict) as exc:
        _org_application(other, legal_name="  ACME   linux, inc ")
    assert exc.value.code == "duplicate_organisation_application"
    assert exc.value.message == "An application for this organisation is already under review."


def test_an_organisation_that_is_already_a_member_cannot_apply_again(applicant, committee):
    application_approve(application=_org_application(applicant), actor=committee)
    with pytest.raises(Conflict) as exc:
        _org_application(UserFactory(), class_code="silver")
    assert exc.value.code == "organisation_already_member"


def test_a_member_cannot_apply_for_a_personal_membership(applicant):
    membership = make_member(user=applicant)
    with pytest.raises(Conflict) as exc:
        application_submit_personal(applicant=applicant, class_code="mirror", mirror_url="https://m.example/")
    assert exc.value.code == "already_member"
    assert membership.number in exc.value.message


def test_a_suspended_member_cannot_apply(applicant, committee, clock):
    membership = make_member(user=applicant)
    membership_suspend(
        membership=membership,
        actor=committee,
        reason="Conduct",
        notice_date=clock.now().date(),
        decision_number=register_decision().number,
    )
    with pytest.raises(Conflict) as exc:
        application_submit_personal(applicant=applicant, class_code="individual")
    assert exc.value.code == "membership_suspended"
    assert "suspended" in exc.value.message


def test_a_class_not_in_force_is_refused(applicant):
    with pytest.raises(ValidationFailed) as exc:
        application_submit_personal(applicant=applicant, class_code="diamond")
    assert exc.value.code == "class_not_available"


def test_an_organisation_class_is_refused_for_a_person(applicant):
    with pytest.raises(ValidationFailed) as exc:
        application_submit_personal(applicant=applicant, class_code="gold")
    assert exc.value.code == "class_not_available"


def test_a_personal_class_is_refused_for_an_organisation(applicant):
    with pytest.raises(ValidationFailed) as exc:
        _org_application(applicant, class_code="individual")
    assert exc.value.code == "class_not_available"


def test_only_the_committee_decides(applicant):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    outsider = UserFactory()
    with pytest.raises(NotAllowed):
        application_approve(application=application, actor=outsider)
    with pytest.raises(NotAllowed):
        application_reject(application=application, actor=outsider, reason="x")
    with pytest.raises(NotAllowed):
        application_ask(application=application, actor=outsider, body="x")
    assert MembershipApplication.objects.get(pk=application.pk).state == "submitted"


def test_a_committee_member_cannot_approve_their_own_application(committee):
    application = application_submit_personal(applicant=committee, class_code="individual")
    with pytest.raises(NotAllowed) as exc:
        application_approve(application=application, actor=committee)
    assert exc.value.code == "own_application"


def test_only_the_applicant_answers_or_withdraws(applicant, committee):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    with pytest.raises(NotAllowed):
        application_answer(application=application, actor=UserFactory(), body="hi")
    with pytest.raises(NotAllowed):
        application_withdraw(application=application, actor=committee)


def test_a_decided_application_cannot_be_decided_again(applicant, committee):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    application_approve(application=application, actor=committee)
    with pytest.raises(Conflict) as exc:
        application_reject(application=application, actor=committee, reason="Changed our minds")
    assert exc.value.code == "application_closed"
    assert Membership.objects.filter(user=applicant).count() == 1


def test_approval_is_all_or_nothing(applicant, committee):
    application = _org_application(applicant)
    MembershipClass.objects.filter(code="gold").delete()  # the class left the rules meanwhile
    with pytest.raises(Conflict):
        application_approve(application=application, actor=committee)
    assert MembershipApplication.objects.get(pk=application.pk).state == "submitted"
    assert not Membership.objects.exists()


# --- Re-admission and renewals needing approval ------------------------------------------------------


def test_an_ended_member_reapplies_and_keeps_their_number(applicant, committee, clock):
    membership = make_member(user=applicant)
    membership_end(membership=membership, actor=applicant)
    clock.advance(days=10)
    application = application_submit_personal(applicant=applicant, class_code="individual")
    application_approve(application=application, actor=committee)
    membership.refresh_from_db()
    assert Membership.objects.filter(user=applicant).count() == 1
    assert membership.state == "active"
    assert membership.member_since == clock.now()
    assert MembershipApplication.objects.get(pk=application.pk).membership == membership


def test_a_lapsed_member_reapplies_into_another_class(applicant, committee, clock):
    membership = make_member(user=applicant, start=clock.now() - dt.timedelta(days=500))
    from members.services.transitions import membership_apply_schedule

    membership_apply_schedule()
    membership.refresh_from_db()
    assert membership.state == "lapsed"
    application = application_submit_personal(
        applicant=applicant, class_code="mirror", mirror_url="https://mirror.example/"
    )
    application_approve(application=application, actor=committee)
    membership.refresh_from_db()
    assert (membership.state, membership.class_code) == ("active", "mirror")
    assert voting_rights(subject=applicant).eligible is True


def test_renewal_needing_approval_renews_on_approval(applicant, committee, clock):
    membership = make_member(user=applicant)
    old_expiry = membership.expires_at
    clock.advance(days=340)
    application = application_submit_renewal(membership=membership, applicant=applicant)
    assert application.is_renewal and application.membership == membership
    application_approve(application=application, actor=committee)
    membership.refresh_from_db()
    assert membership.expires_at > old_expiry
    assert membership.events.order_by("-at", "-id").first().kind == "renewal_approved"


def test_renewal_request_for_someone_elses_membership_is_refused(applicant):
    membership = make_member(user=applicant)
    with pytest.raises(NotAllowed):
        application_submit_renewal(membership=membership, applicant=UserFactory())


def test_renewal_request_twice_is_refused(applicant):
    membership = make_member(user=applicant)
    application_submit_renewal(membership=membership, applicant=applicant)
    with pytest.raises(Conflict):
        application_submit_renewal(membership=membership, applicant=applicant)


def test_organisation_renewal_request_by_its_admin(applicant, committee):
    application_approve(
        application=_org_application(applicant, class_code="mirror", mirror_url="https://m.a/"),
        actor=committee,
    )
    membership = Membership.objects.get(organisation__legal_name="Acme Linux Inc.")
    renewal = application_submit_renewal(membership=membership, applicant=applicant)
    assert renewal.is_organisation and renewal.organisation == membership.organisation
    application_approve(application=renewal, actor=committee)
    assert MembershipApplication.objects.get(pk=renewal.pk).state == "approved"


def test_an_ended_organisation_reapplies_and_keeps_its_number(applicant, committee):
    application_approve(
        application=_org_application(applicant, class_code="mirror", mirror_url="https://m.acme.example/"),
        actor=committee,
    )
    membership = Membership.objects.get(organisation__legal_name="Acme Linux Inc.")
    membership_end(membership=membership, actor=applicant)
    newcomer = UserFactory()
    again = _org_application(newcomer, class_code="silver", legal_name="ACME Linux, Inc")
    assert again.organisation == membership.organisation and again.membership == membership
    application_approve(application=again, actor=committee)
    membership.refresh_from_db()
    assert (membership.state, membership.class_code) == ("pending", "silver")
    assert Membership.objects.filter(organisation=membership.organisation).count() == 1
    assert set(membership.organisation.admins.all()) == {applicant, newcomer}


def test_organisation_creation_is_audited(applicant, committee):
    application_approve(application=_org_application(applicant), actor=committee)
    entry = AuditEntry.objects.get(action="organisation.created")
    group = Organisation.objects.get(slug="acme-linux-inc").corporate_group
    assert entry.data == {"slug": "acme-linux-inc", "admin": applicant.audit_ref, "group": group.audit_ref}
    assert AuditEntry.objects.filter(action="corporate_group.proposed", object_ref=group.audit_ref).exists()


def test_a_suspended_organisation_cannot_apply(applicant, committee, clock):
    application_approve(
        application=_org_application(applicant, class_code="mirror", mirror_url="https://m.a/"),
        actor=committee,
    )
    membership = Membership.objects.get(organisation__legal_name="Acme Linux Inc.")
    membership_suspend(
        membership=membership,
        actor=committee,
        reason="Dues",
        notice_date=clock.now().date(),
        decision_number=register_decision().number,
    )
    with pytest.raises(Conflict) as exc:
        _org_application(UserFactory(), class_code="gold")
    assert exc.value.code == "membership_suspended"


def test_an_anonymous_visitor_cannot_apply():
    with pytest.raises(NotAllowed):
        application_submit_personal(applicant=AnonymousUser(), class_code="individual")
    with pytest.raises(NotAllowed):
        application_submit_organisation(
            applicant=AnonymousUser(),
            class_code="mirror",
            legal_name="Acme Linux Inc.",
            representative_email="rep@acme.example",
            mirror_url="https://m.acme.example/",
        )
    assert not MembershipApplication.objects.exists()


def test_an_organisations_representative_who_is_not_admin_cannot_request_a_renewal(applicant, committee):
    application_approve(
        application=_org_application(applicant, class_code="mirror", mirror_url="https://m.a/"),
        actor=committee,
    )
    membership = Membership.objects.get(organisation__legal_name="Acme Linux Inc.")
    representative = UserFactory()
    membership.organisation.representative = representative
    membership.organisation.save()
    with pytest.raises(NotAllowed):
        application_submit_renewal(membership=membership, applicant=representative)
    assert not MembershipApplication.objects.filter(is_renewal=True).exists()


def test_a_committee_member_cannot_question_or_reject_their_own_application(committee):
    application = application_submit_personal(applicant=committee, class_code="individual")
    with pytest.raises(NotAllowed) as asked:
        application_ask(application=application, actor=committee, body="Are you sure?")
    with pytest.raises(NotAllowed) as rejected:
        application_reject(application=application, actor=committee, reason="No.")
    assert asked.value.code == rejected.value.code == "own_application"
    assert MembershipApplication.objects.get(pk=application.pk).state == "submitted"


def test_an_applicant_without_a_full_name_is_asked_for_it_first(clock):
    from core.errors import ValidationFailed
    from members.services.applications import application_submit_personal

    nameless = UserFactory(full_name="  ")
    with pytest.raises(ValidationFailed) as error:
        application_submit_personal(applicant=nameless, class_code="individual")
    assert error.value.code == "name_required"
