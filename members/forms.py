"""Forms for applications, the committee's decisions, organisation pages, the membership
pages, the member list and suspensions.

Fields come from the model fields (``_model_field``), so a form refuses whatever the
database would (lengths, URLs, emails). Business checks stay in the services; the forms
only check what a person typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed
from core.money import format_money
from core.uploads import clean_image_upload
from members.models import (
    ApplicationState,
    MembershipApplication,
    MembershipClass,
    MembershipState,
    Organisation,
    RepresentativeChange,
)
from members.services.applications import MAX_MESSAGE_LENGTH, application_classes
from members.services.organisations import PROFILE_FIELDS


def _model_field(model: type[models.Model], name: str, **overrides: Any) -> forms.Field:
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.URLField):
        overrides.setdefault("assume_scheme", "https")
    field = model_field.formfield(**overrides)  # type: ignore[union-attr]
    assert field is not None
    return field


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def class_label(klass: MembershipClass) -> str:
    dues = (
        gettext("free")
        if klass.is_free
        else gettext("%(amount)s a year") % {"amount": format_money(klass.annual_dues_minor, klass.currency)}
    )
    return gettext("%(name)s — %(dues)s — voting weight %(weight)s") % {
        "name": klass.name,
        "dues": dues,
        "weight": klass.vote_weight,
    }


class _ApplicationForm(forms.Form):
    for_organisation = False

    membership_class = forms.ChoiceField(label=_("Membership class"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes = {c.code: c for c in application_classes(for_organisation=self.for_organisation)}
        _choice_field(self, "membership_class").choices = [
            (c.code, class_label(c)) for c in self.classes.values()
        ]
        self.fields["mirror_url"] = _model_field(
            MembershipApplication,
            "mirror_url",
            label=_("Mirror URL"),
            required=False,
            help_text=_("Required for classes that ask for a mirror you host: the committee checks it."),
        )
        self.fields["statement"] = _model_field(
            MembershipApplication,
            "statement",
            required=False,
            max_length=MAX_MESSAGE_LENGTH,
            help_text=_("How you use, contribute to or support the project."),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        klass = self.classes.get(data.get("membership_class", ""))
        if klass is not None and klass.requires_mirror_url and not data.get("mirror_url"):
            self.add_error(
                "mirror_url", gettext("Give the URL of the mirror you host: the committee checks it.")
            )
        return data

    @property
    def chosen_class(self) -> MembershipClass | None:
        return self.classes.get(self.cleaned_data.get("membership_class", ""))


class PersonalApplicationForm(_ApplicationForm):
    for_organisation = False


class OrganisationApplicationForm(_ApplicationForm):
    for_organisation = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        m = MembershipApplication
        self.fields["legal_name"] = _model_field(m, "legal_name", label=_("Legal name"), required=True)
        self.fields["corporate_group"] = _model_field(
            m,
            "corporate_group",
            label=_("Corporate group or parent company"),
            help_text=_(
                "Leave empty if the organisation has no parent. Used for the one-director-per-group rule."
            ),
        )
        self.fields["website"] = _model_field(m, "website", label=_("Website"))
        self.fields["billing_contact_name"] = _model_field(
            m,
            "billing_contact_name",
            label=_("Billing contact name"),
            help_text=_("Required for a paid class."),
        )
        self.fields["billing_contact_email"] = _model_field(
            m, "billing_contact_email", label=_("Billing contact email")
        )
        self.fields["representative_email"] = _model_field(
            m,
            "representative_email",
            label=_("Designated representative (email)"),
            required=True,
            help_text=_(
                "The person who acts and votes for the organisation. If they have no account yet, "
                "they are invited by email when the application is approved."
            ),
        )
        self.order_fields(
            [
                "membership_class",
                "legal_name",
                "corporate_group",
                "website",
                "representative_email",
                "billing_contact_name",
                "billing_contact_email",
                "mirror_url",
                "statement",
            ]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        klass = self.classes.get(data.get("membership_class", ""))
        if klass is not None and not klass.is_free:
            for name in ("billing_contact_name", "billing_contact_email"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, gettext("A paid membership needs a billing contact."))
        return data


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_MESSAGE_LENGTH
    )


class QuestionForm(MessageForm):
    body = forms.CharField(
        label=_("Question for the applicant"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_MESSAGE_LENGTH,
        help_text=_("The applicant is emailed and answers on the application's page."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_MESSAGE_LENGTH,
        help_text=_("Sent to the applicant."),
    )


class ApplicationFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    membership_class = forms.ChoiceField(label=_("Class"), required=False)

    def __init__(self, *args: Any, classes: list[MembershipClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "state").choices = [
            ("", gettext("Open (submitted or question asked)")),
            ("all", gettext("All")),
            *ApplicationState.choices,
        ]
        _choice_field(self, "membership_class").choices = [("", gettext("All classes"))] + [
            (c.code, c.name) for c in classes
        ]


class OrganisationProfileForm(forms.Form):
    logo_upload = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP. It is re-encoded and its metadata removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        initial = {name: getattr(organisation, name) for name in PROFILE_FIELDS}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        fields = {name: _model_field(Organisation, name) for name in PROFILE_FIELDS}
        fields["legal_name"].required = True
        fields["in_directory"].help_text = _(
            "Show the organisation and its logo in the public member directory."
        )
        self.fields = {**fields, **self.fields}
        if not organisation.logo:
            del self.fields["remove_logo"]
        self.cleaned_logo: ContentFile | None = None

    def clean_logo_upload(self) -> Any:
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            try:
                self.cleaned_logo = clean_image_upload(upload)
            except ValidationFailed as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return upload

    def profile_changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}


class RepresentativeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=RepresentativeChange.Role.choices)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("If the person has no account yet, they receive an invitation by email."),
    )


# --- Membership pages, the member list and suspensions ------------------------------------------


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)


class DirectoryListingForm(forms.Form):
    listed = forms.BooleanField(label=_("List me in the public member directory"), required=False)


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, email, member number or organisation."),
    )
    class_code = forms.ChoiceField(label=_("Class"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *MembershipState.choices]
    )
    expiring_within = forms.IntegerField(
        label=_("Expiring within (days)"), required=False, min_value=0, max_value=3660
    )
    not_reached = forms.BooleanField(label=_("Not reached only"), required=False)

    def __init__(self, *args: Any, classes: list[MembershipClass] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        class_field = self.fields["class_code"]
        assert isinstance(class_field, forms.ChoiceField)
        class_field.choices = [("", _("Any class")), *((c.code, c.name) for c in classes or [])]
