"""Forms for applications, the committee's decisions, organisation pages, the membership
pages, the member list and suspensions.

Fields come from the model fields (``_model_field``), so a form refuses whatever the
database would (lengths, URLs, emails). Business checks stay in the services; the forms
only check what a person typed.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    CorporateGroup,
    MembershipApplication,
    MembershipClass,
    MembershipState,
    Organisation,
    RepresentativeChange,
)
from members.selectors import group_choices
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


class GroupChoiceField(forms.ModelChoiceField):
    """A corporate group chosen from the list (never typed); unconfirmed ones say so."""

    def label_from_instance(self, obj: Any) -> str:
        group: CorporateGroup = obj
        if group.confirmed:
            return group.name
        return gettext("%(name)s (awaiting the membership committee)") % {"name": group.name}


def group_fields(
    *, choose_label: Any, choose_help: Any = "", propose_help: Any = "", empty_label: Any = None
) -> dict[str, forms.Field]:
    """The two fields of every group question: choose from the list, or propose a new name."""
    return {
        "group": GroupChoiceField(
            label=choose_label,
            queryset=group_choices(),
            required=False,
            empty_label=empty_label or _("— not in the list —"),
            help_text=choose_help,
        ),
        "proposed_group": forms.CharField(
            label=_("Or propose a group that is not in the list"),
            max_length=200,
            required=False,
            help_text=propose_help
            or _("It stays unconfirmed until the membership committee confirms it or merges it."),
        ),
    }


INDEPENDENT = "independent"


@dataclass(frozen=True)
class EmployerChoice:
    """An employer chosen from the list (an organisation or a group), or independence declared."""

    employer: Organisation | CorporateGroup | None
    independent: bool


def employer_choices() -> list[tuple[str, Any]]:
    """Independent, then organisations, then corporate groups: what a director or a candidate picks."""
    organisations = Organisation.objects.order_by("legal_name", "pk")
    groups = group_choices()
    return [
        ("", gettext("— choose —")),
        (INDEPENDENT, gettext("Independent: no employer (shown publicly)")),
        (gettext("Organisations"), [(f"org:{o.pk}", o.legal_name) for o in organisations]),
        (gettext("Corporate groups"), [(f"group:{g.pk}", g.name) for g in groups]),
    ]


def employer_initial(*, organisation_id: int | None, group_id: int | None, independent: bool) -> str:
    if independent:
        return INDEPENDENT
    if organisation_id:
        return f"org:{organisation_id}"
    return f"group:{group_id}" if group_id else ""


class EmployerChoiceField(forms.ChoiceField):
    """The employer, chosen from the list (never typed): ``EmployerChoice`` once cleaned."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=(), **kwargs)
        self.choices = employer_choices()

    def clean(self, value: Any) -> EmployerChoice | None:
        value = super().clean(value)
        if not value:
            return None
        if value == INDEPENDENT:
            return EmployerChoice(None, True)
        kind, _sep, pk = str(value).partition(":")
        found: Organisation | CorporateGroup | None = None
        if kind == "org" and pk.isdigit():
            found = Organisation.objects.filter(pk=int(pk)).first()
        elif kind == "group" and pk.isdigit():
            found = CorporateGroup.objects.filter(pk=int(pk), merged_into__isnull=True).first()
        if found is None:
            raise forms.ValidationError(gettext("Choose the employer from the list."), code="invalid_choice")
        return EmployerChoice(found, False)


def check_one_group(form: forms.Form, data: dict[str, Any]) -> None:
    if data.get("group") is not None and (data.get("proposed_group") or "").strip():
        form.add_error("proposed_group", gettext("Choose a group from the list or propose one, not both."))


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
        self.fields.update(
            group_fields(
                choose_label=_("Corporate group or parent company"),
                choose_help=_(
                    "Used for the one-director-per-group rule. Leave both empty if the organisation "
                    "belongs to no group: its own name is proposed."
                ),
            )
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
                "group",
                "proposed_group",
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
        check_one_group(self, data)
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
        fields["billing_address"].label = _("Invoice address")
        fields["billing_address"].help_text = _("Printed on invoices and receipts, with the tax id.")
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


class GroupRequestForm(forms.Form):
    """An organisation asks to join another corporate group (the committee confirms)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(group_fields(choose_label=_("New corporate group")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_one_group(self, data)
        if data.get("group") is None and not (data.get("proposed_group") or "").strip() and not self.errors:
            raise forms.ValidationError(gettext("Choose a group from the list, or propose one."))
        return data


class EmployerForm(forms.Form):
    """An individual member's employer (optional, private unless published)."""

    public = forms.BooleanField(
        label=_("Show my employer on my public directory entry"),
        required=False,
        help_text=_(
            "Otherwise only you and the committees see it; the control figures count it anonymously."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = group_fields(
            choose_label=_("My employer's corporate group"), empty_label=_("— none declared —")
        )
        self.fields = {**fields, **self.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_one_group(self, data)
        return data


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


# --- Corporate groups (the membership committee) --------------------------------------------------


class GroupMergeForm(forms.Form):
    group = GroupChoiceField(label=_("Group"), queryset=CorporateGroup.objects.none())
    into = GroupChoiceField(
        label=_("is the same company as, and merges into"), queryset=CorporateGroup.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("group", "into"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = group_choices()


class GroupParentForm(forms.Form):
    group = GroupChoiceField(label=_("Group"), queryset=CorporateGroup.objects.none())
    parent = GroupChoiceField(
        label=_("is a subsidiary of"),
        queryset=CorporateGroup.objects.none(),
        required=False,
        empty_label=_("— no parent: a group of its own —"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("group", "parent"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = group_choices()


class GroupConfirmForm(forms.Form):
    despite_lookalike = forms.BooleanField(
        label=_("We checked: it is a different company from the look-alike confirmed group"), required=False
    )


class GroupChangeDecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Confirm the change")), ("no", _("Reject it"))],
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
