"""Election forms: parsing only; the rules are the services'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from elections.models import Candidate, Election, Method, RollCorrection
from elections.services.lifecycle import EARLIEST_YEAR, LATEST_YEAR, MAX_MARKS
from elections.services.results import DISPUTE_MAX_CHARS
from governance.models import Cohort, Seat
from members.forms import EmployerChoiceField

MAX_ROW_ID = 2**63 - 1  # a bigint primary key


def _check_year(value: dt.datetime) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise forms.ValidationError(
            _("Give a date between the years %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


class SeatsField(forms.ModelMultipleChoiceField):
    """Seats by id; a value that cannot be a row id is an invalid choice before any query."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ROW_ID):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
                )
        return super().clean(value)


class ElectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(label=_("Web address"), max_length=80)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    method = forms.ChoiceField(label=_("Counting method"), choices=Method.choices, initial=Method.MEEK)
    approval_max_marks = forms.IntegerField(
        label=_("Approval: most marks per ballot"), min_value=1, max_value=MAX_MARKS, required=False
    )
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=Cohort.objects.all(), required=False)
    seats = SeatsField(
        label=_("Seats to fill"),
        queryset=Seat.objects.filter(abolished_at__isnull=True),
        widget=forms.CheckboxSelectMultiple,
    )
    record_date = forms.DateTimeField(
        label=_("Record date (UTC)"), help_text=_("YYYY-MM-DD HH:MM"), validators=[_check_year]
    )
    voting_opens_at = forms.DateTimeField(
        label=_("Voting opens (UTC)"), help_text=_("YYYY-MM-DD HH:MM"), validators=[_check_year]
    )
    voting_closes_at = forms.DateTimeField(
        label=_("Voting closes (UTC)"), help_text=_("YYYY-MM-DD HH:MM"), validators=[_check_year]
    )


class NominationForm(forms.Form):
    on_behalf_of = forms.ChoiceField(label=_("Nominating as"))
    nominee_email = forms.EmailField(
        label=_("Nominee's email address"), help_text=_("The address of the nominee's account on this site.")
    )

    def __init__(self, *args: Any, memberships: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["on_behalf_of"]
        field.choices = [(m.number, f"{m.subject_name} ({m.number})") for m in memberships]


class AcceptForm(forms.Form):
    statement = forms.CharField(label=_("Your statement to the members"), widget=forms.Textarea)
    proposed_employer = forms.CharField(
        label=_("Or your employer's corporate group, if it is not in the list"),
        max_length=200,
        required=False,
        help_text=_(
            "It is added to the list, unconfirmed, for the membership committee to confirm or merge."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"] = EmployerChoiceField(
            label=_("Your employer"),
            required=False,
            help_text=_(
                "A member organisation or a corporate group from the list, or independent (shown publicly). "
                "It is frozen when you accept: the one-director-per-group rule reads it."
            ),
        )
        # Blank only when a new group is named below: never "(optional)", which clean() refuses.
        self.fields["employer"].hide_optional = True  # type: ignore[attr-defined]
        self.order_fields(["statement", "employer", "proposed_employer"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("employer")
        proposed = (data.get("proposed_employer") or "").strip()
        if chosen is not None and proposed:
            self.add_error("proposed_employer", _("Choose from the list or name a new group, not both."))
        elif chosen is None and not proposed and not self.errors:
            self.add_error("employer", _("Choose your employer from the list, or declare being independent."))
        return data


class BallotForm(forms.Form):
    """A ballot as posted: ``rank-<id>`` selects for ranked methods, ``mark`` boxes otherwise.

    It only reads the numbers; whether they make a valid ballot is the service's check.
    """

    def __init__(self, *args: Any, election: Election, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.election = election
        self.candidates = candidates

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Every rank given must name a standing candidate: a rank for anyone else (an unknown
        # id, a withdrawn candidate) is refused, never dropped, or the ballot would be
        # recorded as something the voter did not mean (blank, or shorter).
        standing = {f"rank-{c.pk}" for c in self.candidates}
        given = {key for key in self.data if key.startswith("rank-") and self._value(key)}
        if self.election.is_ranked:
            if given - standing:
                raise forms.ValidationError(
                    _("The ballot ranks someone who is not a standing candidate."), code="unknown_candidate"
                )
            if any(v.strip() for v in self._marks()):
                raise forms.ValidationError(_("This election uses ranked ballots."), code="wrong_ballot_type")
            ranks: dict[int, int] = {}
            for c in self.candidates:
                raw = self._value(f"rank-{c.pk}")
                if raw:
                    try:
                        ranks[c.pk] = int(raw)
                    except ValueError:
                        raise forms.ValidationError(
                            _("A rank must be a whole number."), code="invalid_rank"
                        ) from None
            cleaned["ranks"] = ranks
        else:
            if given:
                raise forms.ValidationError(
                    _("This election does not use ranked ballots."), code="wrong_ballot_type"
                )
            try:
                cleaned["marks"] = [int(v) for v in self._marks()]
            except ValueError:
                raise forms.ValidationError(_("The ballot could not be read."), code="invalid_mark") from None
        return cleaned

    def _value(self, key: str) -> str:
        value = self.data.get(key)
        return value.strip() if isinstance(value, str) else ""

    def _marks(self) -> list[str]:
        if isinstance(self.data, QueryDict):
            return self.data.getlist("mark")
        return list(self.data.get("mark") or [])

    @property
    def submitted(self) -> dict[str, Any]:
        """The ranks or marks read so far (empty when the ballot could not be read)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {key: cleaned[key] for key in ("ranks", "marks") if key in cleaned}


class CorrectionForm(forms.Form):
    member_number = forms.CharField(label=_("Member number"), max_length=12)
    action = forms.ChoiceField(label=_("Correction"), choices=RollCorrection.Action.choices)
    weight = forms.IntegerField(
        label=_("Weight (when including)"), min_value=1, max_value=2_147_483_647, required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)


class ReasonForm(forms.Form):
    """Cancelling an election: the reason is published with it (this form is Cancel's alone)."""

    reason = forms.CharField(label=_("Public reason for cancelling"), widget=forms.Textarea)


class CertifyForm(forms.Form):
    """Certifying a result: the chair confirms the winners shown above the form."""

    confirm = forms.BooleanField(
        label=_("I have checked the winners listed above and certify this result. It cannot be undone."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the winners before certifying.")},
    )


class DisputeForm(forms.Form):
    body = forms.CharField(label=_("What is wrong?"), widget=forms.Textarea, max_length=DISPUTE_MAX_CHARS)


class DisputeDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Uphold the dispute")), ("0", _("Reject the dispute"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Published reason"), widget=forms.Textarea)
