"""Forms for the membership pages, the member list and suspensions: parse input only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import MembershipClass, MembershipState


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


class SuspensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Sent to the member and shown on their membership page."),
    )
    notice_date = forms.DateField(
        label=_("Notice given on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The bylaws require notice before a suspension."),
    )
    decision_ref = forms.CharField(
        label=_("Board decision"), max_length=200, help_text=_("The decision's number, e.g. D-2026-014.")
    )


class ReinstatementForm(forms.Form):
    decision_ref = forms.CharField(
        label=_("Board decision"), max_length=200, help_text=_("The decision that lifts the suspension.")
    )
