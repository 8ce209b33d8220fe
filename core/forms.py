"""Forms of the account: the name asked at sign-up, and the profile page (/settings/profile/).

The forms only check what a person typed, with the service's own ``check_*`` functions, so a
form and the service refuse the same names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.errors import ValidationFailed
from core.services.profiles import (
    DISPLAY_NAME_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PRONOUNS_MAX_LENGTH,
    check_person_name,
    user_update_profile,
)


def _name_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(strip=False, **kwargs)


def _clean_name(value: str, *, required: bool, max_length: int) -> str:
    try:
        return check_person_name(value, required=required, max_length=max_length)
    except ValidationFailed as error:
        raise forms.ValidationError(error.message, code=error.code) from error


FULL_NAME_HELP = _(
    "As you would sign it. The membership committee sees it; the public directory shows it only "
    "if you choose to be listed."
)


class SignupNameForm(forms.Form):
    """allauth's ``ACCOUNT_SIGNUP_FORM_CLASS``: sign-up asks for the full name too."""

    full_name = _name_field(
        label=_("Full name"),
        max_length=NAME_MAX_LENGTH,
        help_text=FULL_NAME_HELP,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_full_name(self) -> str:
        return _clean_name(self.cleaned_data["full_name"], required=True, max_length=NAME_MAX_LENGTH)

    def signup(self, request: Any, user: Any) -> None:
        language = get_language() or ""
        changes = {"full_name": self.cleaned_data["full_name"]}
        if language in {code for code, _name in settings.LANGUAGES}:
            changes["preferred_language"] = language
        user_update_profile(actor=user, user=user, **changes)


class ProfileForm(forms.Form):
    full_name = _name_field(
        label=_("Full name"),
        max_length=NAME_MAX_LENGTH,
        help_text=FULL_NAME_HELP,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    display_name = _name_field(
        label=_("Public display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        required=False,
        help_text=_("Shown on public pages: nominations, ballots, the directory. Your full name if empty."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    pronouns = _name_field(
        label=_("Pronouns"),
        max_length=PRONOUNS_MAX_LENGTH,
        required=False,
        help_text=_("For example she/her, they/them."),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=country_choices,
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        required=False,
        help_text=_("Pages after you sign in, and the emails we send you."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— as the browser asks —")), *settings.LANGUAGES]
        field = self.fields["preferred_language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    @classmethod
    def for_user(cls, user: Any, data: Any = None) -> ProfileForm:
        return cls(data, initial={name: getattr(user, name) for name in cls.base_fields})

    def clean_full_name(self) -> str:
        return _clean_name(self.cleaned_data["full_name"], required=True, max_length=NAME_MAX_LENGTH)

    def clean_display_name(self) -> str:
        return _clean_name(
            self.cleaned_data["display_name"], required=False, max_length=DISPLAY_NAME_MAX_LENGTH
        )

    def clean_pronouns(self) -> str:
        return _clean_name(self.cleaned_data["pronouns"], required=False, max_length=PRONOUNS_MAX_LENGTH)
