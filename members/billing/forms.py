from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from members.decisions import decision_choices


class InvoiceDetailsForm(forms.Form):
    po_number = forms.CharField(label=_("Purchase-order number"), max_length=60, required=False)
    billing_address = forms.CharField(
        label=_("Billing address"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    tax_id = forms.CharField(label=_("Tax or VAT id"), max_length=60, required=False)


class InKindForm(forms.Form):
    description = forms.CharField(
        label=_("What was given"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff time, hardware or services, as the board accepted them."),
    )
    decision = forms.TypedChoiceField(
        label=_("Board decision"),
        coerce=int,
        help_text=_("The adopted decision of the register that accepted them."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— choose from the register —")), *decision_choices()]
