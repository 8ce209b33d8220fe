"""Forms for the secretary's and chair's pages. They parse input; services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Role, RuleSet, User
from governance.models import (
    AttendanceStatus,
    Committee,
    ConsentChoice,
    Decision,
    DecisionKind,
    HoldingEnd,
    HoldingSource,
    MeetingKind,
    Minutes,
    PolicyVersion,
    Seat,
    VoteChoice,
)
from governance.register import adopted_decisions
from governance.services.rules import CLASS_FIELDS, EDITABLE_FIELDS
from members.forms import EmployerChoiceField
from members.models import MembershipClass


class MeetingForm(forms.Form):
    # A written consent is proposed with its resolution (WrittenConsentForm), not called.
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in MeetingKind.choices if c[0] != MeetingKind.WRITTEN_CONSENT]
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    scheduled_at = forms.DateTimeField(
        label=_("Date and time (UTC)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line. The antitrust statement is added first automatically."),
    )

    def agenda_items(self) -> list[tuple[str, str]]:
        lines = (line.strip() for line in self.cleaned_data.get("agenda", "").splitlines())
        return [(line[:200], "") for line in lines if line]


class AttendanceForm(forms.Form):
    """One choice per director in office; guests by the email of their account."""

    guests = forms.CharField(
        label=_("Invited experts (non-voting)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One account email per line."),
    )

    def __init__(self, *args: Any, directors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directors = directors
        choices = [(AttendanceStatus.PRESENT, _("Present")), (AttendanceStatus.ABSENT, _("Absent"))]
        for person in directors:
            self.fields[f"d{person.pk}"] = forms.ChoiceField(
                label=str(person), choices=choices, widget=forms.RadioSelect, initial=AttendanceStatus.PRESENT
            )

    def clean_guests(self) -> list[User]:
        emails = [e.strip().lower() for e in self.cleaned_data["guests"].splitlines() if e.strip()]
        users = list(User.objects.filter(email__in=emails))
        missing = set(emails) - {u.email for u in users}
        if missing:
            raise forms.ValidationError(
                _("No account for: %(emails)s") % {"emails": ", ".join(sorted(missing))}
            )
        return users

    def entries(self) -> list[tuple[Any, str, str]]:
        rows = [(p, self.cleaned_data[f"d{p.pk}"], "") for p in self.directors]
        rows += [(u, AttendanceStatus.GUEST, "") for u in self.cleaned_data["guests"]]
        return rows


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Resolution text"), widget=forms.Textarea(attrs={"rows": 5}))
    kind = forms.ChoiceField(label=_("Type"), choices=DecisionKind.choices)
    approves_minutes = forms.ModelChoiceField(
        label=_("Approves the minutes"), queryset=Minutes.objects.none(), required=False
    )
    adopts_policy_version = forms.ModelChoiceField(
        label=_("Adopts the policy version"), queryset=PolicyVersion.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        directors: list[Any],
        minutes_qs: Any,
        versions_qs: Any,
        absent: set[int] | frozenset[int] = frozenset(),
        **kwargs: Any,
    ) -> None:
        """``absent``: ids of the directors the attendance records absent; their vote starts
        as "absent" (not voting), the others' as "yes"."""
        super().__init__(*args, **kwargs)
        self.directors = directors
        cast(forms.ModelChoiceField, self.fields["approves_minutes"]).queryset = minutes_qs
        cast(forms.ModelChoiceField, self.fields["adopts_policy_version"]).queryset = versions_qs
        for person in directors:
            self.fields[f"v{person.pk}"] = forms.ChoiceField(
                label=str(person),
                choices=VoteChoice.choices,
                initial=VoteChoice.ABSENT if person.pk in absent else VoteChoice.YES,
            )
            self.fields[f"n{person.pk}"] = forms.CharField(
                label=_("Conflict of interest (if recused)"), max_length=300, required=False
            )

    def votes(self) -> list[tuple[Any, str, str]]:
        return [(p, self.cleaned_data[f"v{p.pk}"], self.cleaned_data[f"n{p.pk}"]) for p in self.directors]

    def vote_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(p, self[f"v{p.pk}"], self[f"n{p.pk}"]) for p in self.directors]


class MinutesForm(forms.Form):
    body_md = forms.CharField(
        label=_("Minutes (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Markdown. Scripts and unsafe links are removed when rendered."),
    )


class WrittenConsentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Resolution text"), widget=forms.Textarea(attrs={"rows": 6}))
    kind = forms.ChoiceField(label=_("Type"), choices=DecisionKind.choices)
    deadline = forms.DateTimeField(
        label=_("Deadline (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Directors who have not voted by then count as not voting."),
    )


class ConsentVoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=ConsentChoice.choices,
        widget=forms.RadioSelect,
        help_text=_("Your confirmation is final: it cannot be changed afterwards."),
    )


class CorrectionForm(MinutesForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        help_text=_("Shown publicly in the minutes' history."),
    )


def _user_by_email(email: str) -> User:
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise forms.ValidationError(_("No account with that email address."))
    return user


class SeatFillForm(forms.Form):
    seat = forms.ModelChoiceField(label=_("Vacant seat"), queryset=Seat.objects.none())
    person = forms.EmailField(label=_("Director's account email"))
    source = forms.ChoiceField(
        label=_("Filled by"), choices=[(c, label) for c, label in HoldingSource.choices if c != "founding"]
    )
    decision = forms.ModelChoiceField(
        label=_("Board decision"),
        queryset=Decision.objects.none(),
        to_field_name="number",
        required=False,
        help_text=_("The adopted decision of the register: needed for an appointment by the board."),
    )

    def __init__(self, *args: Any, vacant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["seat"]).queryset = vacant
        self.fields["employer"] = EmployerChoiceField(
            label=_("Employer (as the director declares it)"),
            help_text=_("A member organisation or a corporate group from the list, or independent."),
        )
        cast(forms.ModelChoiceField, self.fields["decision"]).queryset = adopted_decisions()
        self.order_fields(["seat", "person", "employer", "source", "decision"])

    def clean_person(self) -> User:
        return _user_by_email(self.cleaned_data["person"])


class VacateForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=HoldingEnd.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class OfficerForm(forms.Form):
    person = forms.EmailField(label=_("Account email"))
    role = forms.ChoiceField(
        label=_("Office"),
        choices=[(r, Role(r).label) for r in (Role.CHAIR, Role.SECRETARY, Role.TREASURER)],
    )

    def clean_person(self) -> User:
        return _user_by_email(self.cleaned_data["person"])


class CommitteeMemberForm(forms.Form):
    committee = forms.ModelChoiceField(label=_("Committee"), queryset=Committee.objects.all())
    person = forms.EmailField(label=_("Account email"))
    is_chair = forms.BooleanField(label=_("Chair"), required=False)

    def clean_person(self) -> User:
        return _user_by_email(self.cleaned_data["person"])


class DeclarationForm(forms.Form):
    interests = forms.CharField(
        label=_("Your interests"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Employment, significant holdings, other board seats; write “none” if there are none."),
    )


class DecisionChoiceField(forms.ModelChoiceField):
    """A decision of the register, chosen from a list (never a typed reference)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} {obj.title} ({obj.decided_at:%Y-%m-%d})"


class SuspensionOrderForm(forms.Form):
    decision = DecisionChoiceField(
        label=_("Board decision"),
        queryset=Decision.objects.none(),
        to_field_name="number",
        help_text=_("The adopted decision of the register that orders the suspension."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Sent to the member and shown on their membership page."),
    )
    notice_date = forms.DateField(
        label=_("Notice given on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today or later. The suspension takes effect once the notice period has run."),
    )

    def __init__(self, *args: Any, decisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(DecisionChoiceField, self.fields["decision"]).queryset = decisions


class SuspensionLiftForm(forms.Form):
    decision = DecisionChoiceField(
        label=_("Board decision"),
        queryset=Decision.objects.none(),
        to_field_name="number",
        help_text=_("The adopted decision of the register that lifts the suspension."),
    )

    def __init__(self, *args: Any, decisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(DecisionChoiceField, self.fields["decision"]).queryset = decisions


# --- Rule-set versions (/manage/governance/rules/) ----------------------------------------------


class RuleSetForm(forms.ModelForm):
    """A draft version's own numbers. Parsed here, checked and saved by ``rule_set_update``."""

    class Meta:
        model = RuleSet
        fields = EDITABLE_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "antitrust_statement": forms.Textarea(attrs={"rows": 4}),
        }

    def _post_clean(self) -> None:
        # The service validates the whole version (and saves it); the form only parses.
        pass


class MembershipClassForm(forms.ModelForm):
    """One membership class of a draft version (its weight and dues among the rest)."""

    class Meta:
        model = MembershipClass
        fields = CLASS_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self) -> None:
        pass


class RuleSetPartForm(forms.ModelForm):
    """Base of the forms built for a registered part of the rule set (``core.rules``)."""

    def _post_clean(self) -> None:
        pass


MembershipClassFormSet = forms.formset_factory(MembershipClassForm, extra=1, can_delete=True, max_num=50)


def class_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The classes a valid formset describes: every filled row not marked for deletion."""
    # An untouched extra row has empty ``cleaned_data``; a row marked for deletion is left out.
    return [
        {name: form.cleaned_data[name] for name in CLASS_FIELDS}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class RuleSetAdoptForm(forms.Form):
    decision = DecisionChoiceField(
        label=_("Board decision"),
        queryset=Decision.objects.none(),
        to_field_name="number",
        help_text=_("The adopted rule-set change or bylaws amendment of the register."),
    )
    effective_from = forms.DateField(
        label=_("In force from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today or a later day (UTC)."),
    )

    def __init__(self, *args: Any, decisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["decision"]).queryset = decisions
