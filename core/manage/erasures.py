"""The membership committee's requests to be forgotten: the list, one request, approve, refuse.

Approving erases at once (core/services/privacy.py); the page shows, live, what must happen
first, so the committee sees why the button is not offered.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import permission_required
from core.models import ErasureRequest, ErasureState
from core.permissions import can_decide_erasure, can_review_erasures
from core.rules import rules_in_force
from core.services.privacy import erasure_approve, erasure_blockers, erasure_reject
from core.views.errors import domain_errors
from core.views.privacy import kept_records

PAGE_SIZE = 50


class ErasureRejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to the person)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@permission_required(can_review_erasures)
def erasure_list(request: HttpRequest) -> HttpResponse:
    open_first = Case(
        When(state=ErasureState.REQUESTED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    requests = (
        ErasureRequest.objects.select_related("user", "decided_by")
        .annotate(open_first=open_first)
        .order_by("open_first", "-requested_at", "-pk")
    )
    page_obj = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "core/manage/erasure_list.html", {"page_obj": page_obj, "requests": page_obj.object_list}
    )


def _get(pk: int) -> ErasureRequest:
    return get_object_or_404(ErasureRequest.objects.select_related("user", "decided_by"), pk=pk)


def _detail(
    request: HttpRequest, erasure: ErasureRequest, *, form: ErasureRejectForm | None = None, status: int = 200
) -> HttpResponse:
    user: Any = erasure.user
    context = {
        "erasure": erasure,
        "person": user,
        "memberships": list(user.memberships.order_by("number")) if erasure.is_open else [],
        "blockers": erasure_blockers(user=user) if erasure.is_open else [],
        "can_decide": erasure.is_open and can_decide_erasure(request.user, erasure),
        "reject_form": form or ErasureRejectForm(),
        "kept": kept_records(rules_in_force()),
    }
    return render(request, "core/manage/erasure_detail.html", context, status=status)


@permission_required(can_review_erasures)
def erasure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(pk))


@require_POST
@permission_required(can_review_erasures)
def erasure_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    erasure = _get(pk)
    with domain_errors(request) as outcome:  # what must happen first is shown as a message
        erasure_approve(erasure=erasure, actor=request.user)
    if outcome.error is not None:
        return _detail(request, erasure, status=outcome.error.http_status)
    messages.success(
        request,
        _("The person's data was erased; the account now shows as %(name)s.") % {"name": erasure.pseudonym},
    )
    return redirect("privacy_manage:erasure_detail", pk=erasure.pk)


@require_POST
@permission_required(can_review_erasures)
def erasure_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    erasure = _get(pk)
    form = ErasureRejectForm(request.POST)
    if form.is_valid():
        with domain_errors(request, form) as outcome:
            erasure_reject(erasure=erasure, actor=request.user, reason=form.cleaned_data["reason"])
        if outcome.ok:
            messages.success(request, _("The request was refused and the person told why."))
            return redirect("privacy_manage:erasure_detail", pk=erasure.pk)
    return _detail(request, erasure, form=form, status=400)
