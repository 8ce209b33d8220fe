"""Applications through the pages: applicant's side, committee queue, permissions."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEntry
from members.models import Membership, MembershipApplication
from members.rights import voting_rights
from members.services.applications import application_submit_personal
from tests.auth import sign_in
from tests.factories import RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(clock):
    user = UserFactory()
    RoleFactory(user=user, role="membership_committee")
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def applicant(clock):
    return UserFactory()


def _login(client, user):
    sign_in(client, user)
    return client


def _apply(client, **data):
    return client.post(reverse("members:apply"), {"membership_class": "individual", **data})


# --- The applicant ------------------------------------------------------------------------------------


def test_apply_page_lists_the_classes_in_force_with_dues_and_weight(client, applicant):
    response = _login(client, applicant).get(reverse("members:apply"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Individual — free — voting weight 1" in body
    assert "Mirror — free — voting weight 1" in body
    assert "Gold" not in body  # organisation classes are on the organisation form


def test_organisation_form_lists_sponsor_classes_with_formatted_dues(client, applicant):
    body = _login(client, applicant).get(reverse("members:apply_organisation")).content.decode()
    assert "Platinum — 100,000.00 USD a year — voting weight 50" in body
    assert "Individual —" not in body


def test_apply_page_needs_sign_in(client):
    response = client.get(reverse("members:apply"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_applying_redirects_to_the_application_page(client, applicant):
    response = _apply(_login(client, applicant), statement="I use it at home.")
    application = MembershipApplication.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:application_detail", kwargs={"pk": application.pk})
    assert application.statement == "I use it at home."


def test_mirror_without_url_is_refused_by_the_form_and_nothing_is_saved(client, applicant):
    response = _apply(_login(client, applicant), membership_class="mirror")
    assert response.status_code == 400
    assert "Give the URL of the mirror" in response.content.decode()
    assert not MembershipApplication.objects.exists()


def test_second_application_shows_a_clear_message(client, applicant):
    _login(client, applicant)
    _apply(client)
    response = _apply(client)
    assert response.status_code == 400
    assert "You already have an open application" in response.content.decode()
    assert MembershipApplication.objects.count() == 1


def test_a_member_applying_is_told_they_are_a_member(client, applicant):
    make_member(user=applicant)
    response = _apply(_login(client, applicant), membership_class="mirror", mirror_url="https://m.example/")
    assert response.status_code == 400
    assert "You are already a member" in response.content.decode()


def test_organisation_duplicate_shows_a_clear_message(client, applicant):
    data = {
        "membership_class": "silver",
        "legal_name": "Globex GmbH",
        "representative_email": "rep@globex.example",
        "billing_contact_name": "Accounts",
        "billing_contact_email": "accounts@globex.example",
    }
    _login(client, applicant).post(reverse("members:apply_organisation"), data)
    _login(client, UserFactory()).post(reverse("members:apply_organisation"), data)
    response = client.post(reverse("members:apply_organisation"), {**data, "legal_name": "globex  gmbh"})
    assert "An application for this organisation is already under review." in response.content.decode()
    assert MembershipApplication.objects.count() == 1


def test_organisation_form_requires_billing_contact_for_a_paid_class(client, applicant):
    response = _login(client, applicant).post(
        reverse("members:apply_organisation"),
        {"membership_class": "gold", "legal_name": "Initech", "representative_email": "rep@initech.example"},
    )
    assert response.status_code == 400
    assert "A paid membership needs a billing contact." in response.content.decode()
    assert not MembershipApplication.objects.exists()


def test_organisation_form_refuses_an_overlong_legal_name(client, applicant):
    response = _login(client, applicant).post(
        reverse("members:apply_organisation"),
        {
            "membership_class": "mirror",
            "legal_name": "x" * 201,
            "representative_email": "r@x.example",
            "mirror_url": "https://m.x/",
        },
    )
    assert response.status_code == 400
    assert not MembershipApplication.objects.exists()


def test_applicant_sees_their_application(client, applicant):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    response = _login(client, applicant).get(
        reverse("members:application_detail", kwargs={"pk": application.pk})
    )
    assert response.status_code == 200
    assert "reviewing the application" in response.content.decode()


def test_someone_else_cannot_see_the_application(client, applicant):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    response = _login(client, UserFactory()).get(
        reverse("members:application_detail", kwargs={"pk": application.pk})
    )
    assert response.status_code == 404


def test_someone_else_cannot_answer_or_withdraw(client, applicant):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    _login(client, UserFactory())
    assert (
        client.post(reverse("members:application_withdraw", kwargs={"pk": application.pk})).status_code == 404
    )
    answer = client.post(reverse("members:application_answer", kwargs={"pk": application.pk}), {"body": "hi"})
    assert answer.status_code == 404
    assert MembershipApplication.objects.get(pk=application.pk).state == "submitted"


def test_applicant_withdraws_from_the_page(client, applicant):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    _login(client, applicant).post(reverse("members:application_withdraw", kwargs={"pk": application.pk}))
    assert MembershipApplication.objects.get(pk=application.pk).state == "withdrawn"


def test_my_applications_lists_only_mine(client, applicant):
    application_submit_personal(applicant=applicant, class_code="individual")
    application_submit_personal(applicant=UserFactory(full_name="Someone Else"), class_code="individual")
    response = _login(client, applicant).get(reverse("members:my_applications"))
    assert len(response.context["applications"]) == 1


# --- The committee ----------------------------------------------------------------------------------------


def test_whole_journey_through_the_pages(client, applicant, committee, run_jobs):
    _apply(_login(client, applicant), statement="Packager")
    application = MembershipApplication.objects.get(applicant=applicant)

    _login(client, committee)
    client.post(
        reverse("members_manage:application_ask", kwargs={"pk": application.pk}), {"body": "Which ones?"}
    )
    run_jobs()
    assert any("Which ones?" in m.body for m in mail.outbox)

    _login(client, applicant)
    page = client.get(reverse("members:application_detail", kwargs={"pk": application.pk})).content.decode()
    assert "Which ones?" in page
    client.post(reverse("members:application_answer", kwargs={"pk": application.pk}), {"body": "Kernel."})

    _login(client, committee)
    review = client.get(reverse("members_manage:application_review", kwargs={"pk": application.pk}))
    assert "Kernel." in review.content.decode()
    response = client.post(reverse("members_manage:application_approve", kwargs={"pk": application.pk}))
    assert response.status_code == 302

    membership = Membership.objects.get(user=applicant)
    assert membership.state == "active"
    assert voting_rights(subject=applicant).eligible


def test_reject_without_reason_is_refused_by_the_form(client, applicant, committee):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    response = _login(client, committee).post(
        reverse("members_manage:application_reject", kwargs={"pk": application.pk}), {"reason": ""}
    )
    assert response.status_code == 400
    assert MembershipApplication.objects.get(pk=application.pk).state == "submitted"


def test_reject_with_reason_emails_the_applicant(client, applicant, committee, run_jobs):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    run_jobs()
    mail.outbox.clear()
    _login(client, committee).post(
        reverse("members_manage:application_reject", kwargs={"pk": application.pk}),
        {"reason": "Not eligible."},
    )
    run_jobs()
    assert MembershipApplication.objects.get(pk=application.pk).state == "rejected"
    assert mail.outbox[0].to == [applicant.email] and "Not eligible." in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="membership_application.rejected").count() == 1


def test_approving_twice_shows_a_clear_error(client, applicant, committee):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    _login(client, committee)
    url = reverse("members_manage:application_approve", kwargs={"pk": application.pk})
    client.post(url)
    response = client.post(url)
    assert response.status_code == 409
    assert "already approved" in response.content.decode()
    assert Membership.objects.filter(user=applicant).count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "application_queue",
        "application_review",
        "application_ask",
        "application_approve",
        "application_reject",
    ],
)
def test_non_committee_users_get_403(client, applicant, name):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    kwargs = {} if name == "application_queue" else {"pk": application.pk}
    method = client.get if name in ("application_queue", "application_review") else client.post
    _login(client, UserFactory())
    response = method(reverse(f"members_manage:{name}", kwargs=kwargs))
    assert response.status_code == 403
    assert MembershipApplication.objects.get(pk=application.pk).state == "submitted"


def test_committee_without_two_factor_is_sent_to_set_it_up(client, applicant):
    member = UserFactory()
    RoleFactory(user=member, role="membership_committee")
    sign_in(client, member, second_factor=False)
    response = client.get(reverse("members_manage:application_queue"))
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_queue_shows_open_applications_by_default_and_filters(client, applicant, committee):
    open_app = application_submit_personal(applicant=applicant, class_code="individual")
    other = application_submit_personal(
        applicant=UserFactory(), class_code="mirror", mirror_url="https://m.example/"
    )
    withdrawn_by = UserFactory()
    from members.services.applications import application_withdraw

    closed = application_submit_personal(applicant=withdrawn_by, class_code="individual")
    application_withdraw(application=closed, actor=withdrawn_by)
    _login(client, committee)
    url = reverse("members_manage:application_queue")

    assert {a.pk for a in client.get(url).context["applications"]} == {open_app.pk, other.pk}
    assert {a.pk for a in client.get(url, {"membership_class": "mirror"}).context["applications"]} == {
        other.pk
    }
    assert {a.pk for a in client.get(url, {"state": "withdrawn"}).context["applications"]} == {closed.pk}
    assert len(client.get(url, {"state": "all"}).context["applications"]) == 3


def test_queue_empty_state(client, committee):
    response = _login(client, committee).get(reverse("members_manage:application_queue"))
    assert "No applications match these filters." in response.content.decode()


def test_queue_is_paginated(client, committee):
    for _ in range(30):
        application_submit_personal(applicant=UserFactory(), class_code="individual")
    _login(client, committee)
    url = reverse("members_manage:application_queue")
    first = client.get(url)
    assert len(first.context["applications"]) == 25
    assert len(client.get(url, {"page": 2}).context["applications"]) == 5


def _queue_queries(client, n: int) -> int:
    existing = MembershipApplication.objects.count()
    for _ in range(n - existing):
        application_submit_personal(applicant=UserFactory(), class_code="individual")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("members_manage:application_queue"), {"state": "all"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queue_query_count_does_not_grow_with_applications(client, committee):
    _login(client, committee)
    client.get(reverse("members_manage:application_queue"))  # warm the session
    ten = _queue_queries(client, 10)
    hundred = _queue_queries(client, 100)
    assert ten == hundred


def test_committee_member_cannot_decide_their_own_application(client, committee):
    application = application_submit_personal(applicant=committee, class_code="individual")
    response = _login(client, committee).post(
        reverse("members_manage:application_approve", kwargs={"pk": application.pk})
    )
    assert response.status_code == 403
    assert MembershipApplication.objects.get(pk=application.pk).state == "submitted"


def test_personal_page_points_to_the_open_personal_application(client, applicant):
    application = application_submit_personal(applicant=applicant, class_code="individual")
    response = _login(client, applicant).get(reverse("members:apply"))
    assert response.context["open_application"] == application
    assert reverse("members:application_detail", kwargs={"pk": application.pk}) in response.content.decode()
