"""The filters of the public registers, read from the query string through forms.

A value the form refuses (a year outside the archive's range, an unknown kind, a malformed
director id, a NUL character) is answered with a 400 and the form's message, and the list is
shown without that filter, rather than reaching the database as a lookup it cannot make.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import DecisionKind, Outcome

# The same bounds as the API's year filter (governance/api/filters.py).
MIN_YEAR = 1900
MAX_YEAR = 2999


class MinutesFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)

    def filters(self) -> dict[str, Any]:
        """The valid filters (``is_valid()`` first): a field with an error is left out."""
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned[name]
            for name in self.fields
            if cleaned.get(name) not in (None, "") and name not in self.errors
        }


class DecisionsFilterForm(MinutesFilterForm):
    kind = forms.ChoiceField(label=_("Type"), choices=[("", ""), *DecisionKind.choices], required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", ""), *Outcome.choices], required=False)
    director = forms.UUIDField(label=_("Director"), required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the public record"), max_length=100, required=False, strip=True)
    kind = forms.ChoiceField(label=_("In"), required=False, choices=[])

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything")), *kinds]  # type: ignore[attr-defined]
