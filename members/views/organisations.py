"""An organisation's page (its representative, alternate, admins and the committee see it),
the admins' changes to its profile and representatives, and invitations by email."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import is_authenticated, permission_required
from core.errors import DomainError
from core.views.errors import domain_errors
from members.forms import GroupRequestForm, OrganisationProfileForm, RepresentativeForm
from members.models import GroupChangeStatus, Organisation
from members.permissions import (
    can_accept_invitation,
    can_manage_organisation,
    can_request_group_change,
    can_view_organisation,
)
from members.selectors import group_of_organisation
from members.services import groups as group_services
from members.services import organisations as org_services


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("representative", "alternate"), slug=slug)


def access_organisation(request: HttpRequest, slug: str) -> Organisation:
    """The organisation, for those who may see it; a 404 for everyone else."""
    organisation = _organisation(slug)
    if not can_view_organisation(request.user, organisation):
        raise Http404
    return organisation


def access_managed_organisation(request: HttpRequest, slug: str) -> Organisation:
    """The organisation, for its admins; a 404 for everyone else (as the pages always did)."""
    organisation = _organisation(slug)
    if not can_manage_organisation(request.user, organisation):
        raise Http404
    return organisation


def _render_organisation(
    request: HttpRequest,
    organisation: Organisation,
    *,
    profile_form: OrganisationProfileForm | None = None,
    representative_form: RepresentativeForm | None = None,
    group_form: GroupRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = can_manage_organisation(request.user, organisation)
    context: dict[str, Any] = {
        "organisation": organisation,
        "can_manage": can_manage,
        "membership": organisation.memberships.first(),
        "changes": organisation.representative_changes.select_related("user").order_by("-changed_at", "-id")[
            :10
        ],
        "invitations": organisation.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True),
        "group": group_of_organisation(organisation),
        "pending_group_change": organisation.group_changes.filter(status=GroupChangeStatus.PENDING)
        .select_related("group")
        .first(),
    }
    if can_request_group_change(request.user, organisation):
        context["group_form"] = group_form or GroupRequestForm()
    if can_manage:
        context["profile_form"] = profile_form or OrganisationProfileForm(organisation=organisation)
        context["representative_form"] = representative_form or RepresentativeForm()
    return render(request, "members/org/detail.html", context, status=status)


@permission_required(can_view_organisation, obj=access_organisation)
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_organisation(request, access_organisation(request, slug))


@permission_required(can_manage_organisation, obj=access_managed_organisation)
@require_POST
def organisation_profile(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_managed_organisation(request, slug)
    form = OrganisationProfileForm(request.POST, request.FILES, organisation=organisation)
    if form.is_valid():
        with domain_errors(request, form) as outcome:
            org_services.organisation_update_profile(
                organisation=organisation,
                actor=request.user,
                changes=form.profile_changes(),
                logo=form.cleaned_logo,
                remove_logo=bool(form.cleaned_data.get("remove_logo")),
            )
        if outcome.ok:
            messages.success(request, _("The organisation's profile was saved."))
            return redirect("members:organisation_detail", slug=organisation.slug)
    return _render_organisation(request, organisation, profile_form=form, status=400)


@permission_required(can_manage_organisation, obj=access_managed_organisation)
@require_POST
def organisation_representative(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_managed_organisation(request, slug)
    form = RepresentativeForm(request.POST)
    if form.is_valid():
        with domain_errors(request, form) as outcome:
            result = org_services.organisation_set_representative(
                organisation=organisation,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        if outcome.ok:
            if result.invitation is not None:
                messages.success(
                    request,
                    _("This person has no account yet: an invitation was sent to their email address."),
                )
            else:
                messages.success(request, _("The change was recorded."))
            return redirect("members:organisation_detail", slug=organisation.slug)
    return _render_organisation(request, organisation, representative_form=form, status=400)


def access_group_organisation(request: HttpRequest, slug: str) -> Organisation:
    """The organisation, for its admins and the membership committee; a 404 for everyone else."""
    organisation = _organisation(slug)
    if not can_request_group_change(request.user, organisation):
        raise Http404
    return organisation


@permission_required(can_request_group_change, obj=access_group_organisation)
@require_POST
def organisation_group(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for another corporate group: it waits for the membership committee (audited)."""
    organisation = access_group_organisation(request, slug)
    form = GroupRequestForm(request.POST)
    if form.is_valid():
        with domain_errors(request, form) as outcome:
            change = group_services.organisation_group_request(
                organisation=organisation,
                actor=request.user,
                group=form.cleaned_data["group"],
                proposed_name=form.cleaned_data["proposed_group"],
            )
        if outcome.ok:
            if change.status == GroupChangeStatus.PENDING:
                messages.success(
                    request,
                    _("The change was sent to the membership committee; it takes effect once confirmed."),
                )
            else:
                messages.success(request, _("The organisation's corporate group was changed."))
            return redirect("members:organisation_detail", slug=organisation.slug)
    return _render_organisation(request, organisation, group_form=form, status=400)


@permission_required(can_manage_organisation, obj=access_managed_organisation)
@require_POST
def organisation_remove_alternate(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_managed_organisation(request, slug)
    with domain_errors(request) as outcome:
        org_services.organisation_remove_alternate(organisation=organisation, actor=request.user)
    if outcome.ok:
        messages.success(request, _("The alternate was removed."))
    return redirect("members:organisation_detail", slug=organisation.slug)


# --- Invitations ---------------------------------------------------------------------------------------


def _invitation_error(request: HttpRequest, context: dict[str, Any], error: DomainError) -> HttpResponse:
    context["error"] = error.message
    return render(request, "members/org/invitation.html", context, status=error.http_status)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: open to anyone with the link; accepting needs the invited address signed in.

    Not guarded by ``permission_required``: an anonymous visitor must see whom the link is
    for and be offered to sign in or sign up. Every refusal (invalid, used, expired link,
    wrong account) is shown on this page with its status, not as a bare 403 or 404.
    """
    context: dict[str, Any] = {"token": token}
    try:
        invitation = org_services.invitation_access(token=token)
    except DomainError as exc:
        return _invitation_error(request, context, exc)
    context["invitation"] = invitation
    context["login_url"] = f"{reverse('account_login')}?next={request.path}"
    context["signup_url"] = f"{reverse('account_signup')}?next={request.path}"
    user = request.user
    signed_in = is_authenticated(user)
    context["wrong_user"] = signed_in and not can_accept_invitation(user, invitation)
    if request.method == "POST" and signed_in:
        try:
            org_services.invitation_accept(token=token, user=user)
        except DomainError as exc:
            return _invitation_error(request, context, exc)
        messages.success(
            request,
            _("You are now the %(role)s of %(organisation)s.")
            % {
                "role": invitation.get_role_display().lower(),
                "organisation": invitation.organisation.legal_name,
            },
        )
        return redirect("members:organisation_detail", slug=invitation.organisation.slug)
    return render(request, "members/org/invitation.html", context)
