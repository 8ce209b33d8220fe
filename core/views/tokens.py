"""The user's API tokens page: create (the secret is shown once) and revoke."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import clock
from core.access import passed_second_factor, permission_required
from core.models import ApiToken
from core.permissions import can_create_api_token, can_revoke_api_token
from core.services.api_tokens import api_token_create, api_token_revoke
from core.views.errors import domain_errors

# Far enough for any real use; it also keeps the end-of-day arithmetic below from overflowing.
MAX_TOKEN_LIFETIME = dt.timedelta(days=10 * 365)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “mailing-list bot”."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "The token stops working at the end of this day (UTC). Leave empty for no expiry."
        ),
    )

    def clean_expires_on(self) -> dt.date | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        today = clock.now().date()
        if day < today:
            raise forms.ValidationError(_("The expiry must be today or later."), code="past")
        if day > today + MAX_TOKEN_LIFETIME:
            raise forms.ValidationError(
                _("A token can live %(years)s years at most: choose an earlier day, or no expiry.")
                % {"years": MAX_TOKEN_LIFETIME.days // 365},
                code="too_far",
            )
        return day

    def expires_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)  # permission_required: always a signed-in user


def _page(request: HttpRequest, form: ApiTokenForm, plaintext: str = "", status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.filter(user_id=_user_id(request))
    response = render(
        request, "api/tokens.html", {"form": form, "tokens": tokens, "plaintext": plaintext}, status=status
    )
    response["Cache-Control"] = "no-store"  # the page may show a secret once
    return response


@permission_required(can_create_api_token)
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    with domain_errors(request, form) as outcome:
        _token, plaintext = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
            second_factor=passed_second_factor(request),
        )
    if not outcome.ok:
        return _page(request, form, status=400)
    return _page(request, ApiTokenForm(), plaintext=plaintext)


def _own_token(request: HttpRequest, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=pk, user_id=_user_id(request)).first()
    if token is None:
        raise Http404(_("No such token."))
    return token


@require_POST
@permission_required(can_revoke_api_token, obj=_own_token)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _own_token(request, pk)
    with domain_errors(request) as outcome:
        api_token_revoke(token=token, actor=request.user)
    if outcome.ok:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("tokens:list")
