"""The member's own pages: the public directory, their membership, renewing, leaving,
their directory listing and dismissing a reminder."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import permission_required
from core.rules import rules_in_force
from core.views.errors import domain_errors
from members.forms import DirectoryListingForm, DirectorySearchForm, EmployerForm
from members.models import Membership, MembershipClass, MembershipState, Reminder
from members.permissions import (
    can_act_for_membership,
    can_declare_employer,
    can_dismiss_reminder,
    can_view_own_membership,
)
from members.rights import voting_rights
from members.selectors import directory_queryset
from members.services.groups import membership_employer_declare
from members.services.memberships import membership_leave, membership_set_directory_listing
from members.services.reminders import reminder_dismiss
from members.services.renewals import membership_renew_request, renewal_opens_at, renewal_route

S = MembershipState
DIRECTORY_PAGE_SIZE = 50


# --- The public directory -------------------------------------------------------------------


def directory(request: HttpRequest) -> HttpResponse:
    """Public: anyone, signed in or not, may read the directory of listed members."""
    form = DirectorySearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    rules = rules_in_force()
    classes = {c.code: c for c in MembershipClass.objects.filter(rule_set=rules)}
    page_obj = Paginator(directory_queryset(classes_rule_set=rules, q=q), DIRECTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = [
        {
            "name": m.display_name,  # type: ignore[attr-defined]
            "class_code": m.class_code,
            "class_name": classes[m.class_code].name if m.class_code in classes else m.class_code,
            "organisation": m.organisation if m.organisation_id else None,
            "logo_url": m.organisation.logo.url if m.organisation_id and m.organisation.logo else "",
            # An individual's employer only if they chose to publish it.
            "employer": m.employer_group.name if m.employer_group_public and m.employer_group else "",
        }
        for m in page_obj.object_list
    ]
    return render(
        request,
        "members/directory/list.html",
        {"form": form, "q": q, "page_obj": page_obj, "entries": entries},
    )


# --- The member's own membership -------------------------------------------------------------


def own_membership(request: HttpRequest, number: str | None = None) -> Membership:
    """The membership the user acts for: their own, or (by number) an organisation's.

    A 404 when they are not a member, or may not act for the membership numbered.
    """
    user: Any = request.user
    if number is None:
        membership = Membership.objects.select_related("user").filter(user_id=user.pk).first()
        if membership is None:
            raise Http404(_("You are not a member."))
        return membership
    membership = get_object_or_404(Membership.objects.select_related("user", "organisation"), number=number)
    if not can_act_for_membership(user, membership):
        raise Http404(_("No such membership."))
    return membership


@permission_required(can_view_own_membership)
def membership_detail(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    membership = Membership.objects.select_related("user").filter(user=user).first()
    represented = list(
        Membership.objects.filter(Q(organisation__representative=user) | Q(organisation__admins=user))
        .distinct()
        .select_related("organisation")
        .order_by("number")
    )
    context: dict[str, Any] = {"membership": membership, "represented": represented}
    if membership is not None:
        context.update(
            events=list(membership.events.order_by("-at", "-id")),
            rights=voting_rights(subject=membership),
            route=renewal_route(membership=membership),
            opens_at=renewal_opens_at(membership=membership),
            reminders=list(membership.reminders.filter(dismissed_at__isnull=True)),
            listing_form=DirectoryListingForm(initial={"listed": membership.in_directory}),
            employer_form=EmployerForm(
                initial={"group": membership.employer_group_id, "public": membership.employer_group_public}
            ),
            can_leave=membership.state != S.ENDED,
        )
    return render(request, "members/membership/detail.html", context)


@permission_required(can_view_own_membership)
@require_POST
def directory_listing(request: HttpRequest) -> HttpResponse:
    membership = own_membership(request)  # a 404 for whoever is not a member
    form = DirectoryListingForm(request.POST)
    if form.is_valid():
        with domain_errors(request) as outcome:
            membership_set_directory_listing(
                membership=membership, listed=form.cleaned_data["listed"], actor=request.user
            )
        if outcome.ok:
            if membership.in_directory:
                messages.success(request, _("You are now listed in the member directory."))
            else:
                messages.success(request, _("You are no longer listed in the member directory."))
    return redirect("members:membership")


def _own_individual_membership(request: HttpRequest) -> Membership:
    return own_membership(request)


@permission_required(can_declare_employer, obj=_own_individual_membership)
@require_POST
def employer_declare(request: HttpRequest) -> HttpResponse:
    """An individual member declares their employer's group, or clears it (optional, private)."""
    membership = own_membership(request)
    form = EmployerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("members:membership")
    with domain_errors(request) as outcome:
        membership_employer_declare(
            membership=membership,
            actor=request.user,
            group=form.cleaned_data["group"],
            proposed_name=form.cleaned_data["proposed_group"],
            public=form.cleaned_data["public"],
        )
    if outcome.ok:
        messages.success(request, _("Your employer was saved."))
    return redirect("members:membership")


@permission_required(can_act_for_membership, obj=own_membership)
@require_http_methods(["GET", "POST"])
def renew(request: HttpRequest, number: str | None = None) -> HttpResponse:
    membership = own_membership(request, number)
    if request.method == "POST":
        with domain_errors(request) as outcome:
            renewal = membership_renew_request(membership=membership, actor=request.user)
        if not outcome.ok:
            return redirect(request.path)
        if renewal.kind == "application":
            messages.success(
                request,
                _("Your renewal was sent to the membership committee. You will hear from them by email."),
            )
        else:
            messages.success(
                request,
                _("Thank you: your membership is renewed until %(date)s.")
                % {
                    "date": renewal.membership.expires_at.date().isoformat()
                    if renewal.membership.expires_at
                    else ""
                },
            )
        return redirect("members:membership")
    klass = MembershipClass.objects.filter(rule_set=rules_in_force(), code=membership.class_code).first()
    return render(
        request,
        "members/membership/renew.html",
        {
            "membership": membership,
            "klass": klass,
            "route": renewal_route(membership=membership),
            "opens_at": renewal_opens_at(membership=membership),
            "billing_url": "/billing/",
        },
    )


@permission_required(can_act_for_membership, obj=own_membership)
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    membership = own_membership(request)
    if request.method == "POST":
        with domain_errors(request) as outcome:
            membership_leave(membership=membership, actor=request.user)
        if outcome.ok:
            messages.success(request, _("Your membership has ended. Thank you for your support."))
        return redirect("members:membership")
    return render(request, "members/membership/leave_confirm.html", {"membership": membership})


def _reminder(request: HttpRequest, pk: int) -> Reminder:
    return get_object_or_404(Reminder.objects.select_related("membership__organisation"), pk=pk)


@permission_required(can_dismiss_reminder, obj=_reminder)
@require_POST
def reminder_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = _reminder(request, pk)
    with domain_errors(request):
        reminder_dismiss(reminder=reminder, actor=request.user)
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect(reverse("core:dashboard"))
