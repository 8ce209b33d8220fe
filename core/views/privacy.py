"""Members' data: the public privacy page, and a person's own data page (export, erasure).

The privacy page is built from the registry (core/privacy.py): what each app holds, why and
who sees it, how long (the periods of the rule set in force), and what an erasure keeps.
"""

from __future__ import annotations

import json
from typing import Any

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from core.access import permission_required
from core.models import ErasureRequest, ErasureState, RuleSet
from core.permissions import can_export_personal_data, can_request_erasure, can_withdraw_erasure
from core.privacy import Kept, privacy_parts, retention_rules
from core.rules import rules_in_force
from core.services.privacy import erasure_blockers, erasure_request, erasure_withdraw, personal_data_export
from core.views.errors import domain_errors


class ErasureConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand: my account will be closed and cannot be restored."),
        required=True,
    )


def kept_records(rules: RuleSet) -> list[Kept]:
    return [kept for part in privacy_parts(for_reading=True) for kept in part.kept(rules)]


def privacy_page(request: HttpRequest) -> HttpResponse:
    """Public: what is collected, why, for how long, who sees it, and how to export or erase."""
    rules = rules_in_force()
    return render(
        request,
        "core/privacy.html",
        {
            "rules": rules,
            "parts": privacy_parts(for_reading=True),
            "retention": [(rule.what, rule.period(rules), rule.then) for rule in retention_rules()],
            "kept": kept_records(rules),
        },
    )


def _user(request: HttpRequest) -> Any:
    return request.user  # permission_required: always a signed-in user


def _open_request(request: HttpRequest) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user_id=_user(request).pk, state=ErasureState.REQUESTED).first()


@permission_required(can_export_personal_data)
def your_data(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "core/your_data.html",
        {
            "open_request": _open_request(request),
            "last_decided": ErasureRequest.objects.filter(user=user)
            .exclude(state=ErasureState.REQUESTED)
            .first(),
            "blockers": erasure_blockers(user=user),
        },
    )


@require_POST
@permission_required(can_export_personal_data)
def export(request: HttpRequest) -> HttpResponse:
    """A download of everything Charter holds about the signed-in person (audited)."""
    data = personal_data_export(user=_user(request), actor=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="personal-data-{clock.today().isoformat()}.json"'
    response["Cache-Control"] = "no-store"
    return response


def _erase_page(request: HttpRequest, form: ErasureConfirmForm, status: int = 200) -> HttpResponse:
    rules = rules_in_force()
    return render(
        request,
        "core/erase_confirm.html",
        {
            "form": form,
            "open_request": _open_request(request),
            "blockers": erasure_blockers(user=_user(request)),
            "kept": kept_records(rules),
        },
        status=status,
    )


@permission_required(can_request_erasure)
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def erase(request: HttpRequest) -> HttpResponse:
    """Ask to be forgotten: the page says what must happen first and what is kept; sending it
    needs a fresh sign-in (allauth's reauthentication, which then replays this POST)."""
    if request.method != "POST":
        return _erase_page(request, ErasureConfirmForm())
    form = ErasureConfirmForm(request.POST)
    if not form.is_valid():
        return _erase_page(request, form, status=400)
    with domain_errors(request, form) as outcome:
        erasure_request(user=_user(request), actor=request.user)
    if not outcome.ok:
        return _erase_page(request, form, status=400)
    messages.success(
        request,
        _(
            "Your request was sent to the membership committee. We will write to you if they cannot approve it."
        ),
    )
    return redirect("personal_data:index")


def _own_open_request(request: HttpRequest) -> ErasureRequest:
    erasure = _open_request(request)
    if erasure is None:
        raise Http404(_("You have no open request."))
    return erasure


@require_POST
@permission_required(can_withdraw_erasure, obj=_own_open_request)
def withdraw(request: HttpRequest) -> HttpResponse:
    with domain_errors(request) as outcome:
        erasure_withdraw(erasure=_own_open_request(request), actor=request.user)
    if outcome.ok:
        messages.success(request, _("Your request to be forgotten was withdrawn."))
    return redirect("personal_data:index")
