"""The profile: a name asked at sign-up and at next sign-in, edited at /settings/profile/,
validated, and shown wherever a person is shown (the public name never an email address)."""

from __future__ import annotations

import pytest
from django.conf import settings

from core.audit import AuditEntry
from core.errors import ValidationFailed
from core.forms import ProfileForm
from core.models import User
from core.services.profiles import check_person_name, user_update_profile
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


# --- Validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, cleaned",
    [("  Ada   Lovelace ", "Ada Lovelace"), ("José Núñez", "José Núñez"), ("محمد\u200cرضا", "محمد\u200cرضا")],
)
def test_names_are_trimmed_and_keep_letters_of_every_script(typed, cleaned):
    assert check_person_name(typed, required=True) == cleaned


@pytest.mark.parametrize("bad", ["", "   ", "\t\n", "Ada\x00", "Ada\x1b[31m", "Ada\u202eecalevoL", "A" * 201])
def test_empty_control_character_and_overlong_names_are_refused(bad):
    with pytest.raises(ValidationFailed) as error:
        check_person_name(bad, required=True)
    assert error.value.code == "invalid_name"


def test_the_profile_form_reports_each_bad_field():
    form = ProfileForm(
        {
            "full_name": " ",
            "display_name": "x\x07",
            "pronouns": "",
            "country": "XX",
            "preferred_language": "tlh",
        }
    )
    assert not form.is_valid()
    assert set(form.errors) == {"full_name", "display_name", "country", "preferred_language"}


def test_the_service_refuses_another_persons_profile_and_audits_its_own_changes():
    ada, ben = UserFactory(full_name="Ada"), UserFactory(full_name="Ben")
    with pytest.raises(Exception) as error:
        user_update_profile(actor=ben, user=ada, full_name="Eve")
    assert type(error.value).__name__ == "NotAllowed"
    changed = user_update_profile(actor=ada, user=ada, full_name="Ada King", country="gb", pronouns="she/her")
    assert sorted(changed) == ["country", "full_name", "pronouns"]
    ada.refresh_from_db()
    assert (ada.full_name, ada.country, ada.pronouns) == ("Ada King", "GB", "she/her")
    entry = AuditEntry.objects.filter(action="account.profile_updated").latest("pk")
    assert "Ada King" not in str(entry.data)  # field names only, no personal data


# --- Sign-up ------------------------------------------------------------------------------------


def test_sign_up_asks_for_the_full_name(client):
    page = client.get("/accounts/signup/")
    assert 'name="full_name"' in page.content.decode()
    refused = client.post(
        "/accounts/signup/",
        {"email": "x@example.org", "full_name": "  ", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert refused.status_code == 200 and not User.objects.filter(email="x@example.org").exists()
    client.post(
        "/accounts/signup/",
        {
            "email": "x@example.org",
            "full_name": " Grace  Hopper ",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert User.objects.get(email="x@example.org").full_name == "Grace Hopper"


# --- The profile page and the name asked at next sign-in -------------------------------------


def test_an_account_without_a_name_is_sent_to_the_profile_page_until_it_gives_one(client):
    user = UserFactory(full_name="")
    sign_in(client, user, second_factor=False)
    response = client.get("/members/apply/")
    assert response.status_code == 302
    assert response["Location"] == "/settings/profile/?next=%2Fmembers%2Fapply%2F"
    # Exempt: the profile page, account pages, the API, logging out.
    assert client.get("/settings/profile/").status_code == 200
    assert client.get("/accounts/email/").status_code == 200
    assert client.get("/api/v1/").status_code != 302
    saved = client.post(
        "/settings/profile/", {"full_name": "Ada Lovelace", "next": "/members/apply/", "country": "GB"}
    )
    assert saved.status_code == 302 and saved["Location"] == "/members/apply/"
    assert client.get("/dashboard/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_the_profile_page_refuses_a_blank_name_and_an_outside_next(client):
    user = sign_in(client, UserFactory(full_name="Ada"), second_factor=False)
    bad = client.post("/settings/profile/", {"full_name": "   "})
    assert bad.status_code == 400 and "Give your name" in bad.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Ada"
    ok = client.post("/settings/profile/", {"full_name": "Ada", "next": "https://evil.example/"})
    assert ok["Location"] == "/settings/profile/"


def test_the_preferred_language_is_saved_and_set_as_the_language_cookie(client):
    user = sign_in(client, UserFactory(full_name="Ada"), second_factor=False)
    language = settings.LANGUAGES[-1][0]
    response = client.post("/settings/profile/", {"full_name": "Ada", "preferred_language": language})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    user.refresh_from_db()
    assert user.preferred_language == language


def test_signing_in_applies_the_preferred_language(client):
    language = settings.LANGUAGES[-1][0]
    UserFactory(email="ada@example.org", full_name="Ada", preferred_language=language)
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


# --- Display -----------------------------------------------------------------------------------


def test_public_pages_use_the_display_name_and_never_the_email():
    user = UserFactory(email="ada@example.org", full_name="Augusta Ada King")
    assert user.public_name == "Augusta Ada King" and str(user) == "Augusta Ada King"
    user.display_name = "Ada Lovelace"
    assert user.public_name == "Ada Lovelace"
    nameless = UserFactory(email="who@example.org", full_name="")
    assert "who@" not in nameless.public_name and nameless.needs_name


# --- Emails follow the preferred language ------------------------------------------------------


@pytest.fixture
def language_template(settings, tmp_path):
    import copy

    (tmp_path / "lang_subject.txt").write_text("{% load i18n %}{% get_current_language as L %}{{ L }}")
    (tmp_path / "lang_body.txt").write_text("{% load i18n %}{% get_current_language as L %}{{ L }}")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [str(tmp_path), *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "lang"


def test_emails_are_written_in_the_recipients_preferred_language(language_template):
    from core.mail import email_queue

    language = settings.LANGUAGES[-1][0]
    UserFactory(email="ada@example.org", full_name="Ada", preferred_language=language)
    UserFactory(email="ben@example.org", full_name="Ben")
    to_ada = email_queue(to="ada@example.org", template=language_template, context={}, purpose="test")
    to_ben = email_queue(to="ben@example.org", template=language_template, context={}, purpose="test")
    to_stranger = email_queue(to="x@example.org", template=language_template, context={}, purpose="test")
    assert to_ada.subject == language
    assert to_ben.subject == to_stranger.subject == settings.LANGUAGE_CODE


def test_the_profile_is_in_the_personal_data_export_and_on_the_privacy_page(client):
    from core.account_data import export_account

    user = UserFactory(full_name="Ada", display_name="Ada L.", pronouns="she/her", country="GB")
    account = export_account(user=user)["account"]
    assert (account["display_name"], account["pronouns"], account["country"]) == ("Ada L.", "she/her", "GB")
    assert (
        "public display name, pronouns, country and preferred language"
        in client.get("/privacy/").content.decode()
    )


def test_an_erasure_clears_the_profile(clock):
    from core.services.privacy import erasure_approve, erasure_request
    from tests.factories import RoleFactory

    user = UserFactory(
        full_name="Ada", display_name="Ada L.", pronouns="she/her", country="GB", preferred_language="fr"
    )
    erasure = erasure_request(user=user, actor=user)
    erasure_approve(erasure=erasure, actor=RoleFactory(role="membership_committee").user)
    user.refresh_from_db()
    assert (user.display_name, user.pronouns, user.country, user.preferred_language) == ("", "", "", "")
    assert user.full_name == erasure.pseudonym
