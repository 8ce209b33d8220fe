"""Applying, following an application, organisation pages and invitations (members' side).

Views parse input, check permission, call one service and respond; a ``DomainError``
is shown next to the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from members.forms_apply import (
    MessageForm,
    OrganisationApplicationForm,
    OrganisationProfileForm,
    PersonalApplicationForm,
    RepresentativeForm,
)
from members.models import OPEN_APPLICATION_STATES, Membership, MembershipApplication, Organisation
from members.permissions import (
    can_answer_application,
    can_manage_organisation,
    can_view_application,
    can_view_organisation,
    can_withdraw_application,
)
from members.services import applications as app_services
from members.services import organisations as org_services


def _class_names() -> dict[str, str]:
    return {c.code: c.name for c in app_services.classes_in_force()}


# --- Applying -------------------------------------------------------------------------------


def _apply(request: HttpRequest, form_class: type, template: str) -> HttpResponse:
    form = form_class(request.POST or None)
    user: Any = request.user  # signed in: the views calling this require it
    membership = Membership.objects.filter(user=user).first()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form_class is OrganisationApplicationForm:
                application = app_services.application_submit_organisation(
                    applicant=user,
                    class_code=data["membership_class"],
                    legal_name=data["legal_name"],
                    representative_email=data["representative_email"],
                    corporate_group=data["corporate_group"],
                    website=data["website"],
                    billing_contact_name=data["billing_contact_name"],
                    billing_contact_email=data["billing_contact_email"],
                    statement=data["statement"],
                    mirror_url=data["mirror_url"],
                )
            else:
                application = app_services.application_submit_personal(
                    applicant=user,
                    class_code=data["membership_class"],
                    statement=data["statement"],
                    mirror_url=data["mirror_url"],
                )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Your application was received. The membership committee will review it.")
            )
            return redirect("members:application_detail", pk=application.pk)
    open_application = None
    if form_class is PersonalApplicationForm:
        open_application = MembershipApplication.objects.filter(
            applicant=user, legal_name_key="", state__in=OPEN_APPLICATION_STATES
        ).first()
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "membership": membership, "open_application": open_application}
    return render(request, template, context, status=status)


@login_required
def apply_personal(request: HttpRequest) -> HttpResponse:
    return _apply(request, PersonalApplicationForm, "members/apply/personal.html")


@login_required
def apply_organisation(request: HttpRequest) -> HttpResponse:
    return _apply(request, OrganisationApplicationForm, "members/apply/organisation.html")


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = list(
        MembershipApplication.objects.filter(applicant_id=request.user.pk).order_by("-submitted_at")
    )
    names = _class_names()
    for application in applications:
        application.class_name = names.get(application.class_code, application.class_code)  # type: ignore[attr-defined]
    return render(request, "members/apply/list.html", {"applications": applications})


# --- Following an application -----------------------------------------------------------------


def _access_application(request: HttpRequest, pk: int) -> MembershipApplication:
    application = get_object_or_404(
        MembershipApplication.objects.select_related("applicant", "membership"), pk=pk
    )
    if not can_view_application(request.user, application):
        raise Http404  # others do not learn that the application exists
    return application


def _render_application(
    request: HttpRequest,
    application: MembershipApplication,
    form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "application": application,
        "thread": application.messages.select_related("author"),
        "form": form or MessageForm(),
        "can_answer": can_answer_application(request.user, application),
        "can_withdraw": can_withdraw_application(request.user, application),
        "class_name": _class_names().get(application.class_code, application.class_code),
    }
    return render(request, "members/apply/detail.html", context, status=status)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_application(request, _access_application(request, pk))


@login_required
@require_POST
def application_answer(request: HttpRequest, pk: int) -> HttpResponse:
    application = _access_application(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            app_services.application_answer(
                application=application, actor=request.user, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your answer was sent to the membership committee."))
            return redirect("members:application_detail", pk=application.pk)
    return _render_application(request, application, form, status=400)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _access_application(request, pk)
    try:
        app_services.application_withdraw(application=application, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("members:application_detail", pk=application.pk)


# --- Organisations --------------------------------------------------------------------------------


def _access_organisation(request: HttpRequest, slug: str, *, manage: bool = False) -> Organisation:
    organisation = get_object_or_404(
        Organisation.objects.select_related("representative", "alternate"), slug=slug
    )
    allowed = can_manage_organisation if manage else can_view_organisation
    if not allowed(request.user, organisation):
        raise Http404
    return organisation


def _render_organisation(
    request: HttpRequest,
    organisation: Organisation,
    *,
    profile_form: OrganisationProfileForm | None = None,
    representative_form: RepresentativeForm | None = None,
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
    }
    if can_manage:
        context["profile_form"] = profile_form or OrganisationProfileForm(organisation=organisation)
        context["representative_form"] = representative_form or RepresentativeForm()
    return render(request, "members/org/detail.html", context, status=status)


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_organisation(request, _access_organisation(request, slug))


@login_required
@require_POST
def organisation_profile(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _access_organisation(request, slug, manage=True)
    form = OrganisationProfileForm(request.POST, request.FILES, organisation=organisation)
    if form.is_valid():
        try:
            org_services.organisation_update_profile(
                organisation=organisation,
                actor=request.user,
                changes=form.profile_changes(),
                logo=form.cleaned_logo,
                remove_logo=bool(form.cleaned_data.get("remove_logo")),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The organisation's profile was saved."))
            return redirect("members:organisation_detail", slug=organisation.slug)
    return _render_organisation(request, organisation, profile_form=form, status=400)


@login_required
@require_POST
def organisation_representative(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _access_organisation(request, slug, manage=True)
    form = RepresentativeForm(request.POST)
    if form.is_valid():
        try:
            result = org_services.organisation_set_representative(
                organisation=organisation,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if result.invitation is not None:
                messages.success(
                    request,
                    _("This person has no account yet: an invitation was sent to their email address."),
                )
            else:
                messages.success(request, _("The change was recorded."))
            return redirect("members:organisation_detail", slug=organisation.slug)
    return _render_organisation(request, organisation, representative_form=form, status=400)


@login_required
@require_POST
def organisation_remove_alternate(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _access_organisation(request, slug, manage=True)
    try:
        org_services.organisation_remove_alternate(organisation=organisation, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The alternate was removed."))
    return redirect("members:organisation_detail", slug=organisation.slug)


# --- Invitations ---------------------------------------------------------------------------------------


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone with the link; accepting needs the invited address signed in."""
    context: dict[str, Any] = {"token": token}
    try:
        invitation = org_services.invitation_access(token=token)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "members/org/invitation.html", context, status=exc.http_status)
    context["invitation"] = invitation
    context["login_url"] = f"{reverse('account_login')}?next={request.path}"
    context["signup_url"] = f"{reverse('account_signup')}?next={request.path}"
    user = request.user
    context["wrong_user"] = user.is_authenticated and not org_services.user_owns_email(user, invitation.email)
    if request.method == "POST" and user.is_authenticated:
        try:
            org_services.invitation_accept(token=token, user=user)
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "members/org/invitation.html", context, status=exc.http_status)
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
