"""Organisations: representatives, invitations, profile and logo, money formatting."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from core.errors import Conflict, NotAllowed, NotFound
from core.models import AuditEntry
from core.money import format_money
from members.models import Invitation, Organisation, RepresentativeChange
from members.services.organisations import (
    invitation_accept,
    invitation_access,
    invitation_token,
    legal_name_key,
    organisation_remove_alternate,
    organisation_set_representative,
    organisation_unique_slug,
    organisation_update_profile,
)
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(clock):
    return UserFactory()


@pytest.fixture
def org(admin_user):
    organisation = OrganisationFactory(legal_name="Acme Linux Inc.", slug="acme-linux-inc")
    organisation.admins.add(admin_user)
    return organisation


def _invite(org, admin_user, email="newcomer@acme.example", role="representative") -> Invitation:
    result = organisation_set_representative(organisation=org, actor=admin_user, email=email, role=role)
    assert result.invitation is not None
    return result.invitation


# --- Pure helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [
        (100_000_00, "USD", "100,000.00 USD"),
        (250_050, "EUR", "2,500.50 EUR"),
        (5000, "JPY", "5,000 JPY"),
        (0, "USD", "0.00 USD"),
        (1234, "KWD", "1.234 KWD"),
    ],
)
def test_format_money(minor, currency, expected):
    assert format_money(minor, currency) == expected


def test_legal_name_key_ignores_case_spacing_and_punctuation():
    assert legal_name_key("  ACME   Linux, Inc. ") == legal_name_key("acme linux inc") == "acme linux inc"


def test_slug_is_unique(org):
    assert organisation_unique_slug("Acme Linux, Inc.") == "acme-linux-inc-2"


# --- Representatives -------------------------------------------------------------------------------


def test_admin_sets_an_existing_user_as_representative(org, admin_user, clock):
    rep = UserFactory(email="jane@acme.example")
    previous = org.representative
    result = organisation_set_representative(
        organisation=org, actor=admin_user, email="JANE@acme.example", role="representative"
    )
    org.refresh_from_db()
    assert result.user == rep and org.representative == rep
    # The first recorded change says first who held the role since the organisation was created,
    # so a roll whose record date falls before the change names them (issue 18).
    baseline, change = RepresentativeChange.objects.filter(organisation=org).order_by("changed_at", "id")
    assert (baseline.role, baseline.user, baseline.changed_at) == ("representative", previous, org.created_at)
    assert (change.role, change.user, change.changed_by, change.changed_at) == (
        "representative",
        rep,
        admin_user,
        clock.now(),
    )
    entry = AuditEntry.objects.get(action="organisation.representative_changed")
    assert entry.data["user"] == rep.audit_ref and "jane" not in str(entry.data)


def test_admin_sets_and_removes_the_alternate(org, admin_user):
    alt = UserFactory()
    organisation_set_representative(organisation=org, actor=admin_user, email=alt.email, role="alternate")
    org.refresh_from_db()
    assert org.alternate == alt
    organisation_remove_alternate(organisation=org, actor=admin_user)
    org.refresh_from_db()
    assert org.alternate is None
    assert list(RepresentativeChange.objects.filter(organisation=org).values_list("role", "user")) == [
        ("alternate", alt.pk),
        ("alternate", None),
    ]


def test_the_representative_cannot_be_the_alternate(org, admin_user):
    with pytest.raises(Conflict) as exc:
        organisation_set_representative(
            organisation=org, actor=admin_user, email=org.representative.email, role="alternate"
        )
    assert exc.value.code == "alternate_is_representative"
    org.refresh_from_db()
    assert org.alternate is None and not RepresentativeChange.objects.exists()


def test_promoting_the_alternate_clears_the_alternate(org, admin_user):
    alt = UserFactory()
    organisation_set_representative(organisation=org, actor=admin_user, email=alt.email, role="alternate")
    organisation_set_representative(
        organisation=org, actor=admin_user, email=alt.email, role="representative"
    )
    org.refresh_from_db()
    assert org.representative == alt and org.alternate is None


def test_only_admins_change_representatives(org):
    with pytest.raises(NotAllowed):
        organisation_set_representative(
            organisation=org, actor=org.representative, email="x@y.example", role="alternate"
        )
    assert not Invitation.objects.exists()


def test_someone_without_an_account_is_invited_by_email(org, admin_user, run_jobs):
    invitation = _invite(org, admin_user)
    run_jobs()
    assert invitation.expires_at == invitation.created_at + dt.timedelta(days=14)
    assert mail.outbox[0].to == ["newcomer@acme.example"]
    token = re.search(r"/members/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert invitation_access(token=token) == invitation
    org.refresh_from_db()
    assert org.representative is not None  # unchanged until accepted


def test_invitation_days_come_from_settings(org, admin_user, settings):
    settings.CHARTER_INVITATION_DAYS = 3
    invitation = _invite(org, admin_user)
    assert (invitation.expires_at - invitation.created_at).days == 3


def test_accepting_an_invitation_makes_the_invitee_representative(org, admin_user, clock):
    invitation = _invite(org, admin_user)
    newcomer = UserFactory(email="newcomer@acme.example")
    invitation_accept(token=invitation_token(invitation), user=newcomer)
    org.refresh_from_db()
    invitation.refresh_from_db()
    assert org.representative == newcomer and invitation.accepted_at == clock.now()
    assert RepresentativeChange.objects.filter(
        organisation=org, user=newcomer, role="representative"
    ).exists()
    assert AuditEntry.objects.filter(action="organisation.invitation_accepted").exists()


def test_an_invitation_link_works_once(org, admin_user):
    invitation = _invite(org, admin_user)
    token = invitation_token(invitation)
    newcomer = UserFactory(email="newcomer@acme.example")
    invitation_accept(token=token, user=newcomer)
    with pytest.raises(Conflict) as exc:
        invitation_accept(token=token, user=newcomer)
    assert exc.value.code == "invitation_used"


def test_an_expired_invitation_is_refused_clearly(org, admin_user, clock):
    invitation = _invite(org, admin_user)
    clock.advance(days=15)
    with pytest.raises(Conflict) as exc:
        invitation_access(token=invitation_token(invitation))
    assert exc.value.code == "invitation_expired"
    assert "expired" in exc.value.message


def test_a_new_invitation_revokes_the_previous_one(org, admin_user):
    first = _invite(org, admin_user, email="a@acme.example")
    _invite(org, admin_user, email="b@acme.example")
    with pytest.raises(Conflict) as exc:
        invitation_access(token=invitation_token(first))
    assert exc.value.code == "invitation_revoked"


def test_a_tampered_token_is_refused(org, admin_user):
    token = invitation_token(_invite(org, admin_user))
    with pytest.raises(NotFound):
        invitation_access(token=token[:-2] + "xx")


def test_a_token_is_bound_to_the_invitation_state(org, admin_user):
    invitation = _invite(org, admin_user)
    token = invitation_token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(email="someone-else@acme.example")
    with pytest.raises(NotFound):
        invitation_access(token=token)


def test_the_wrong_account_cannot_accept(org, admin_user):
    invitation = _invite(org, admin_user)
    with pytest.raises(NotAllowed) as exc:
        invitation_accept(token=invitation_token(invitation), user=UserFactory())
    assert exc.value.code == "invitation_wrong_user"
    org.refresh_from_db()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


# --- Profile and logo -------------------------------------------------------------------------------


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 100, 200)).save(buf, format="PNG")
    return SimpleUploadedFile("logo.png", buf.getvalue(), content_type="image/png")


def test_admin_updates_the_profile_and_it_is_audited(org, admin_user):
    organisation_update_profile(
        organisation=org, actor=admin_user, changes={"tax_id": "DE123", "billing_address": "1 Road"}
    )
    org.refresh_from_db()
    assert (org.tax_id, org.billing_address) == ("DE123", "1 Road")
    entry = AuditEntry.objects.get(action="organisation.profile_changed")
    assert entry.data == {"fields": ["billing_address", "tax_id"]}


def test_a_representative_who_is_not_admin_cannot_edit_the_profile(org):
    with pytest.raises(NotAllowed):
        organisation_update_profile(organisation=org, actor=org.representative, changes={"tax_id": "X"})


# --- Pages ---------------------------------------------------------------------------------------------


def test_org_page_for_its_representative_is_read_only(client, org):
    client.force_login(org.representative)
    response = client.get(reverse("members:organisation_detail", kwargs={"slug": org.slug}))
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert "profile_form" not in response.context


def test_org_page_is_hidden_from_others(client, org):
    client.force_login(UserFactory())
    assert client.get(reverse("members:organisation_detail", kwargs={"slug": org.slug})).status_code == 404


def test_admin_uploads_a_logo_through_the_page(client, org, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)
    data = {"legal_name": org.legal_name, "in_directory": "on", "logo_upload": _png()}
    response = client.post(reverse("members:organisation_profile", kwargs={"slug": org.slug}), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.logo.name.startswith("logos/") and org.logo.name.endswith(".png")
    assert "logo" not in org.logo.name.removeprefix("logos/")
    assert (tmp_path / org.logo.name).exists()


def test_a_text_file_as_logo_is_refused_with_a_clear_message(client, org, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)
    fake = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    data = {"legal_name": "Renamed", "in_directory": "on", "logo_upload": fake}
    response = client.post(reverse("members:organisation_profile", kwargs={"slug": org.slug}), data)
    assert response.status_code == 400
    assert "not a PNG, JPEG or WebP image" in response.content.decode()
    org.refresh_from_db()
    assert org.legal_name == "Acme Linux Inc." and not org.logo


def test_admin_invites_a_representative_through_the_page(client, org, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("members:organisation_representative", kwargs={"slug": org.slug}),
        {"role": "alternate", "email": "new@acme.example"},
    )
    assert response.status_code == 302
    assert Invitation.objects.get(organisation=org).email == "new@acme.example"


def test_invitation_page_asks_to_sign_in_with_the_invited_address(client, org, admin_user):
    invitation = _invite(org, admin_user)
    response = client.get(
        reverse("members:invitation_accept", kwargs={"token": invitation_token(invitation)})
    )
    assert response.status_code == 200
    assert "Sign in with newcomer@acme.example" in response.content.decode()


def test_invitation_page_tells_the_wrong_account_clearly(client, org, admin_user):
    invitation = _invite(org, admin_user)
    client.force_login(UserFactory())
    url = reverse("members:invitation_accept", kwargs={"token": invitation_token(invitation)})
    assert "signed in with another email address" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_invitation_page_accepts_for_the_invited_account(client, org, admin_user):
    invitation = _invite(org, admin_user)
    newcomer = UserFactory(email="newcomer@acme.example")
    client.force_login(newcomer)
    response = client.post(
        reverse("members:invitation_accept", kwargs={"token": invitation_token(invitation)})
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=org.pk).representative == newcomer


def test_expired_invitation_page_says_so(client, org, admin_user, clock):
    invitation = _invite(org, admin_user)
    clock.advance(days=30)
    response = client.get(
        reverse("members:invitation_accept", kwargs={"token": invitation_token(invitation)})
    )
    assert response.status_code == 409
    assert "This invitation expired on" in response.content.decode()


def test_garbage_invitation_link_gives_a_clear_page(client):
    response = client.get(reverse("members:invitation_accept", kwargs={"token": "nonsense"}))
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_accepting_as_alternate_while_representative_is_refused_and_nothing_changes(org, admin_user):
    invitation = _invite(org, admin_user, email="boss@acme.example", role="alternate")
    org.representative.email = "boss@acme.example"
    org.representative.save()
    with pytest.raises(Conflict) as exc:
        invitation_accept(token=invitation_token(invitation), user=org.representative)
    assert exc.value.code == "alternate_is_representative"
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    assert Organisation.objects.get(pk=org.pk).alternate is None


def test_representative_form_error_is_shown_on_the_page(client, org, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("members:organisation_representative", kwargs={"slug": org.slug}),
        {"role": "alternate", "email": org.representative.email},
    )
    assert response.status_code == 400
    assert "The representative cannot also be the alternate" in response.content.decode()


def test_admin_sees_the_management_forms(client, org, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("members:organisation_detail", kwargs={"slug": org.slug}))
    assert response.context["can_manage"] is True
    assert 'enctype="multipart/form-data"' in response.content.decode()


@given(st.text(max_size=60))
def test_legal_name_key_is_idempotent(name):
    assert legal_name_key(legal_name_key(name)) == legal_name_key(name)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["USD", "EUR", "JPY", "KWD"]))
def test_format_money_keeps_every_digit(minor, currency):
    text = format_money(minor, currency)
    assert int(text.split(" ")[0].replace(",", "").replace(".", "")) == minor
