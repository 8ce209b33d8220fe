"""Who controls the foundation (``/governance/control/``, public): power, not just seats."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import ValidationFailed
from governance import permissions
from governance.control import board_power_if_any, parse_control_at, power_timeline
from governance.control_chart import timeline_chart
from governance.control_elections import election_weights


class ControlAtForm(forms.Form):
    """``?at=``: the date to show (empty: now)."""

    at = forms.CharField(
        label=_("Board on"),
        required=False,
        max_length=40,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A past date; empty for today."),
    )

    def clean_at(self) -> dt.datetime | None:
        try:
            return parse_control_at(self.cleaned_data.get("at"))
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


def control_context(*, at: dt.datetime | None) -> dict[str, Any]:
    """Everything the control page shows at ``at`` (now when ``None``)."""
    moment = at or clock.now()
    timeline = power_timeline(at=moment)
    return {
        "moment": moment,
        "is_now": at is None,
        "board": board_power_if_any(at=moment),
        "timeline": timeline,
        "chart": timeline_chart(timeline, end=moment),
        "elections": election_weights(at=moment),
    }


def control(request: HttpRequest) -> HttpResponse:
    form = ControlAtForm(request.GET)
    context: dict[str, Any] = {"form": form, "can_preview": permissions.can_manage_board(request.user)}
    if not form.is_valid():
        return render(request, "governance/control.html", context, status=400)
    context.update(control_context(at=form.cleaned_data["at"]))
    return render(request, "governance/control.html", context)
