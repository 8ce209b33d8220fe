"""What if (``/manage/governance/control/``): the board's power under a pending change.

The secretary and the chair (``can_manage_board``) choose a rule-set version (by default
the draft being prepared), and optionally another board size, a new sponsor member or a
number of seats for one group; the page shows every group's power today and under the
change, side by side. A GET form: previewing changes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import permission_required
from core.models import RuleSet
from core.rules import rules_in_force
from core.views.errors import domain_errors
from governance import permissions
from governance.control_groups import Affiliation, group_choices, sponsor_groups
from governance.what_if import NEW_GROUP_KEY, Scenario, new_sponsor_group, what_if
from members.models import MembershipClass


def _versions() -> list[RuleSet]:
    """Drafts first, then adopted versions, newest first."""
    return sorted(RuleSet.objects.all(), key=lambda r: (not r.is_draft, -r.version))


class WhatIfForm(forms.Form):
    rule_set = forms.TypedChoiceField(label=gettext_lazy("Rule set"), coerce=int)
    board_size = forms.IntegerField(
        label=gettext_lazy("Board size (seats)"),
        required=False,
        min_value=1,
        max_value=200,
        help_text=gettext_lazy(
            "Empty: the seats there are now. New seats are filled by independent directors."
        ),
    )
    sponsor_class = forms.ChoiceField(
        label=gettext_lazy("A new sponsor member of class"),
        required=False,
        help_text=gettext_lazy("Its group wins the seats the class requires, up to the per-group cap."),
    )
    sponsor_group = forms.ChoiceField(label=gettext_lazy("The new sponsor's group"), required=False)
    group = forms.ChoiceField(label=gettext_lazy("Give one group"), required=False)
    group_seats = forms.IntegerField(
        label=gettext_lazy("…this many seats"),
        required=False,
        min_value=0,
        max_value=200,
        help_text=gettext_lazy("Taken from vacant seats, then from independent directors."),
    )

    def __init__(self, *args: Any, groups: list[Affiliation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = _versions()
        self.groups = {g.key: g for g in groups}
        self._choices("rule_set").choices = [
            (r.version, _("v%(version)s (draft)") % {"version": r.version} if r.is_draft else f"v{r.version}")
            for r in self.versions
        ]
        codes = MembershipClass.objects.filter(board_seats_per_member__gt=0).order_by("position", "code")
        names: dict[str, str] = {}
        for klass in codes:
            names.setdefault(klass.code, klass.name)
        self._choices("sponsor_class").choices = [("", _("None")), *names.items()]
        group_options = [(g.key, g.label) for g in groups]
        self._choices("sponsor_group").choices = [(NEW_GROUP_KEY, _("A new group")), *group_options]
        self._choices("group").choices = [("", _("None")), *group_options]

    def _choices(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def scenario(self) -> Scenario:
        data = self.cleaned_data
        rule_set = next(r for r in self.versions if r.version == data["rule_set"])
        klass = None
        if data.get("sponsor_class"):
            klass = MembershipClass.objects.filter(rule_set=rule_set, code=data["sponsor_class"]).first()
            if klass is None:
                raise forms.ValidationError(_("That class does not exist in the chosen rule set."))
        sponsor_group = self.groups.get(data.get("sponsor_group") or "") or new_sponsor_group()
        group = self.groups.get(data.get("group") or "")
        return Scenario(
            rule_set=rule_set,
            board_size=data.get("board_size"),
            sponsor_class=klass,
            sponsor_group=sponsor_group,
            group=group,
            group_seats=data.get("group_seats") if group is not None else None,
        )


def _defaults() -> dict[str, str]:
    """Opened without a question: the draft being prepared, if any, and when it loosens the
    per-group cap, the first sponsor group holding as many seats as the draft allows."""
    in_force = rules_in_force()
    draft = RuleSet.objects.filter(effective_from__isnull=True).order_by("-version").first()
    if draft is None:
        return {"rule_set": str(in_force.version)}
    defaults = {"rule_set": str(draft.version)}
    sponsors = sponsor_groups()
    if draft.board_max_per_group > in_force.board_max_per_group and sponsors:
        defaults.update(group=sponsors[0].key, group_seats=str(draft.board_max_per_group))
    return defaults


@permission_required(permissions.can_manage_board)
def control_what_if(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if not data:
        data.update(_defaults())
    elif not data.get("rule_set"):
        data["rule_set"] = _defaults()["rule_set"]
    form = WhatIfForm(data, groups=group_choices())
    result = None
    if form.is_valid():
        try:
            scenario = form.scenario()
        except forms.ValidationError as exc:
            form.add_error("sponsor_class", exc)
        else:
            with domain_errors(request, form) as outcome:
                result = what_if(scenario=scenario)
            if not outcome.ok:
                result = None
    status = 200 if result is not None else 400
    return render(
        request, "governance/manage/control_what_if.html", {"form": form, "result": result}, status=status
    )
