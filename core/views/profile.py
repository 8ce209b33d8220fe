"""The profile page (/settings/profile/): full name, display name, pronouns, country, language."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.access import permission_required
from core.adapters import set_language_cookie
from core.forms import ProfileForm
from core.permissions import can_edit_profile
from core.services.profiles import user_update_profile
from core.views.errors import domain_errors


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(can_edit_profile)
def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    asked_for_name = user.needs_name
    form = ProfileForm.for_user(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            changed = user_update_profile(actor=user, user=user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Your profile was saved.") if changed else _("Nothing changed."))
            response = redirect(_next_url(request) or "profile:edit")
            if "preferred_language" in changed:
                set_language_cookie(response, user.preferred_language)
            return response
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": _next_url(request), "asked_for_name": asked_for_name}
    return render(request, "core/profile.html", context, status=status)
