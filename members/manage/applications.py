"""The membership committee's queue: list, thread, ask, approve, reject."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import permission_required
from core.money import format_money
from core.views.errors import domain_errors
from members.forms import ApplicationFilterForm, QuestionForm, RejectForm
from members.models import OPEN_APPLICATION_STATES, MembershipApplication
from members.permissions import can_decide_application, can_review_applications
from members.services import applications as app_services
from members.services.organisations import user_by_email

PAGE_SIZE = 25


@permission_required(can_review_applications)
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
        "can_decide": application.is_open and can_decide_application(request.user, application),
        "representative_has_account": bool(
            application.representative_email and user_by_email(application.representative_email)
        ),
    }
    return render(request, "members/manage/applications/detail.html", context, status=status)


def _get(pk: int) -> MembershipApplication:
    return get_object_or_404(
        MembershipApplication.objects.select_related("applicant", "organisation", "membership", "decided_by"),
        pk=pk,
    )


@permission_required(can_review_applications)
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get(pk))


# Deciding is guarded by the committee check; the service refuses a member's own application
# (403, "own_application") and a decided one (409, shown on the page).


@permission_required(can_review_applications)
@require_POST
def application_ask(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        with domain_errors(request, form) as outcome:
            app_services.application_ask(
                application=application, actor=request.user, body=form.cleaned_data["body"]
            )
        if outcome.ok:
            messages.success(request, _("Your question was sent to the applicant."))
            return redirect("members_manage:application_review", pk=application.pk)
    return _render_detail(request, application, question_form=form, status=400)


@permission_required(can_review_applications)
@require_POST
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(pk)
    with domain_errors(request) as outcome:  # the error is shown as a message on the page
        app_services.application_approve(application=application, actor=request.user)
    if outcome.error is not None:
        return _render_detail(request, application, status=outcome.error.http_status)
    messages.success(request, _("The application was approved and the applicant notified."))
    return redirect("members_manage:application_review", pk=application.pk)


@permission_required(can_review_applications)
@require_POST
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        with domain_errors(request, form) as outcome:
            app_services.application_reject(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        if outcome.ok:
            messages.success(request, _("The application was rejected and the applicant notified."))
            return redirect("members_manage:application_review", pk=application.pk)
    return _render_detail(request, application, reject_form=form, status=400)
