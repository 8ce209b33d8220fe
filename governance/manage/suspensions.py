"""Suspending a member and lifting the suspension, by a decision chosen from the register.

The pages keep their addresses under the member's page (/manage/members/<number>/suspend/
and /reinstate/, ``governance/manage/suspension_urls.py``), but live next to the decisions
they need: members cannot import governance.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import clock
from core.access import permission_required
from core.views.errors import domain_errors
from governance.forms import SuspensionLiftForm, SuspensionOrderForm
from governance.models import Suspension, SuspensionStatus
from governance.register import adopted_decisions
from governance.services import suspensions as services
from members.models import Membership
from members.permissions import can_reinstate_member, can_suspend_member


def _membership(request: HttpRequest, number: str) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation__representative"), number=number
    )


def _open_suspension(membership: Membership) -> Suspension | None:
    return (
        Suspension.objects.select_related("decision")
        .filter(membership=membership, status__in=services.OPEN)
        .first()
    )


@permission_required(can_suspend_member, obj=_membership)
@require_http_methods(["GET", "POST"])
def member_suspend(request: HttpRequest, number: str) -> HttpResponse:
    membership = _membership(request, number)
    form = SuspensionOrderForm(
        request.POST or None, decisions=adopted_decisions(), initial={"notice_date": clock.today()}
    )
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            suspension = services.membership_suspend(
                actor=request.user,
                membership=membership,
                decision=form.cleaned_data["decision"],
                notice_date=form.cleaned_data["notice_date"],
                reason=form.cleaned_data["reason"],
            )
        if outcome.ok:
            if suspension.status == SuspensionStatus.EFFECTIVE:
                messages.success(request, _("The membership is suspended and the member has been notified."))
            else:
                messages.success(
                    request,
                    _("The member has been notified; the suspension takes effect on %(date)s.")
                    % {"date": suspension.effective_at.date().isoformat()},
                )
            return redirect("members_manage:member_detail", number=membership.number)
    return render(
        request,
        "governance/manage/suspensions/suspend.html",
        {
            "membership": membership,
            "name": membership.subject_name,
            "form": form,
            "open_suspension": _open_suspension(membership),
            "can_reinstate": can_reinstate_member(request.user, membership),
        },
    )


@permission_required(can_reinstate_member, obj=_membership)
@require_http_methods(["GET", "POST"])
def member_reinstate(request: HttpRequest, number: str) -> HttpResponse:
    membership = _membership(request, number)
    form = SuspensionLiftForm(request.POST or None, decisions=adopted_decisions())
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            services.membership_reinstate(
                actor=request.user, membership=membership, decision=form.cleaned_data["decision"]
            )
        if outcome.ok:
            messages.success(request, _("The suspension is lifted and the member has been notified."))
            return redirect("members_manage:member_detail", number=membership.number)
    return render(
        request,
        "governance/manage/suspensions/reinstate.html",
        {
            "membership": membership,
            "name": membership.subject_name,
            "form": form,
            "open_suspension": _open_suspension(membership),
        },
    )
