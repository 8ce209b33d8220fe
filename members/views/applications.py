"""Applying for membership and following an application (members' side)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import permission_required
from core.views.errors import domain_errors
from members.forms import MessageForm, OrganisationApplicationForm, PersonalApplicationForm
from members.models import OPEN_APPLICATION_STATES, Membership, MembershipApplication
from members.permissions import (
    can_answer_application,
    can_apply_for_membership,
    can_list_own_applications,
    can_view_application,
    can_withdraw_application,
)
from members.services import applications as app_services


def _class_names() -> dict[str, str]:
    return {c.code: c.name for c in app_services.classes_in_force()}


# --- Applying -------------------------------------------------------------------------------


def _submit(form: forms.Form, applicant: Any) -> MembershipApplication:
    data = form.cleaned_data
    if isinstance(form, OrganisationApplicationForm):
        return app_services.application_submit_organisation(
            applicant=applicant,
            class_code=data["membership_class"],
            legal_name=data["legal_name"],
            representative_email=data["representative_email"],
            corporate_group=data["group"],
            proposed_group=data["proposed_group"],
            website=data["website"],
            billing_contact_name=data["billing_contact_name"],
            billing_contact_email=data["billing_contact_email"],
            statement=data["statement"],
            mirror_url=data["mirror_url"],
        )
    return app_services.application_submit_personal(
        applicant=applicant,
        class_code=data["membership_class"],
        statement=data["statement"],
        mirror_url=data["mirror_url"],
    )


def _apply(request: HttpRequest, form_class: type[forms.Form], template: str) -> HttpResponse:
    form = form_class(request.POST or None)
    user: Any = request.user  # signed in: the views calling this require it
    membership = Membership.objects.filter(user=user).first()
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            application = _submit(form, user)
        if outcome.ok:
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


@permission_required(can_apply_for_membership)
def apply_personal(request: HttpRequest) -> HttpResponse:
    return _apply(request, PersonalApplicationForm, "members/apply/personal.html")


@permission_required(can_apply_for_membership)
def apply_organisation(request: HttpRequest) -> HttpResponse:
    return _apply(request, OrganisationApplicationForm, "members/apply/organisation.html")


@permission_required(can_list_own_applications)
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = list(
        MembershipApplication.objects.filter(applicant_id=request.user.pk).order_by("-submitted_at")
    )
    names = _class_names()
    for application in applications:
        application.class_name = names.get(application.class_code, application.class_code)  # type: ignore[attr-defined]
    return render(request, "members/apply/list.html", {"applications": applications})


# --- Following an application -----------------------------------------------------------------


def access_application(request: HttpRequest, pk: int) -> MembershipApplication:
    """The application, for the applicant and the committee; a 404 for everyone else,
    who do not learn that it exists."""
    application = get_object_or_404(
        MembershipApplication.objects.select_related("applicant", "membership"), pk=pk
    )
    if not can_view_application(request.user, application):
        raise Http404
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
        "can_answer": application.is_open and can_answer_application(request.user, application),
        "can_withdraw": application.is_open and can_withdraw_application(request.user, application),
        "class_name": _class_names().get(application.class_code, application.class_code),
    }
    return render(request, "members/apply/detail.html", context, status=status)


@permission_required(can_view_application, obj=access_application)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_application(request, access_application(request, pk))


@permission_required(can_view_application, obj=access_application)
@require_POST
def application_answer(request: HttpRequest, pk: int) -> HttpResponse:
    application = access_application(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        with domain_errors(request, form) as outcome:
            app_services.application_answer(
                application=application, actor=request.user, body=form.cleaned_data["body"]
            )
        if outcome.ok:
            messages.success(request, _("Your answer was sent to the membership committee."))
            return redirect("members:application_detail", pk=application.pk)
    return _render_application(request, application, form, status=400)


@permission_required(can_view_application, obj=access_application)
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = access_application(request, pk)
    with domain_errors(request) as outcome:
        app_services.application_withdraw(application=application, actor=request.user)
    if outcome.ok:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("members:application_detail", pk=application.pk)
