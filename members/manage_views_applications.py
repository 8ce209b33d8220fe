"""The membership committee's queue: list, thread, ask, approve, reject (under /manage/, MFA)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from members.forms_apply import ApplicationFilterForm, QuestionForm, RejectForm
from members.models import OPEN_APPLICATION_STATES, MembershipApplication
from members.permissions import can_decide_application, can_review_applications
from members.services import applications as app_services
from members.services.organisations import format_money, user_by_email

PAGE_SIZE = 25


def committee_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_review_applications(request.user):
            raise PermissionDenied(_("Only the membership committee can open this page."))
        return view(request, *args, **kwargs)

    return wrapper


@committee_only
def application_queue(request: HttpRequest) -> HttpResponse:
    classes = app_services.classes_in_force()
    filters = ApplicationFilterForm(request.GET or None, classes=classes)
    queryset = (
        MembershipApplication.objects.select_related("applicant", "organisation")
        .annotate(message_count=Count("messages"))
        .order_by("submitted_at", "pk")
    )
    state = ""
    if filters.is_valid():
        state = filters.cleaned_data["state"]
        if filters.cleaned_data["membership_class"]:
            queryset = queryset.filter(class_code=filters.cleaned_data["membership_class"])
    if state == "all":
        pass
    elif state:
        queryset = queryset.filter(state=state)
    else:
        queryset = queryset.filter(state__in=OPEN_APPLICATION_STATES)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    names = {c.code: c.name for c in classes}
    page_obj.object_list = list(page_obj.object_list)
    for application in page_obj.object_list:
        setattr(application, "class_name", names.get(application.class_code, application.class_code))  # noqa: B010
    return render(
        request,
        "members/manage/applications/list.html",
        {
            "filters": filters,
            "page_obj": page_obj,
            "applications": page_obj.object_list,
        },
    )


def _render_detail(
    request: HttpRequest,
    application: MembershipApplication,
    *,
    question_form: QuestionForm | None = None,
    reject_form: RejectForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    klass = app_services.class_in_force(application.class_code)
    context = {
        "application": application,
        "klass": klass,
        "dues": format_money(klass.annual_dues_minor, klass.currency) if klass and not klass.is_free else "",
        "thread": application.messages.select_related("author"),
        "question_form": question_form or QuestionForm(),
        "reject_form": reject_form or RejectForm(),
        "can_decide": can_decide_application(request.user, application),
        "representative_has_account": bool(
            application.representative_email and user_by_email(application.representative_email)
        ),
        "error": error,
    }
    return render(request, "members/manage/applications/detail.html", context, status=status)


def _get(pk: int) -> MembershipApplication:
    return get_object_or_404(
        MembershipApplication.objects.select_related("applicant", "organisation", "membership", "decided_by"),
        pk=pk,
    )


@committee_only
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get(pk))


@committee_only
@require_POST
def application_ask(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            app_services.application_ask(
                application=application, actor=request.user, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your question was sent to the applicant."))
            return redirect("members_manage:application_review", pk=application.pk)
    return _render_detail(request, application, question_form=form, status=400)


@committee_only
@require_POST
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(pk)
    try:
        app_services.application_approve(application=application, actor=request.user)
    except DomainError as exc:
        return _render_detail(request, application, error=exc.message, status=exc.http_status)
    messages.success(request, _("The application was approved and the applicant notified."))
    return redirect("members_manage:application_review", pk=application.pk)


@committee_only
@require_POST
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            app_services.application_reject(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The application was rejected and the applicant notified."))
            return redirect("members_manage:application_review", pk=application.pk)
    return _render_detail(request, application, reject_form=form, status=400)
