from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
    decision_ref = forms.CharField(
        label=_("Board decision"),
        max_length=200,
        help_text=_("The reference of the decision that accepted them."),
    )
