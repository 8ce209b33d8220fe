"""The member's own pages: the public directory, their membership, renewing, leaving.

Views parse input, check permission, call one service and respond; a DomainError is
shown as a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.rules import rules_in_force
from members.forms_members import DirectoryListingForm, DirectorySearchForm
from members.models import Membership, MembershipClass, MembershipState, Reminder
from members.permissions import can_act_for_membership, can_dismiss_reminder
from members.rights import voting_rights
from members.services.reminders import (
    membership_leave,
    membership_renew_request,
    membership_set_directory_listing,
    renewal_opens_at,
    renewal_route,
)

S = MembershipState
LIVE_STATES = (S.ACTIVE, S.GRACE)
DIRECTORY_PAGE_SIZE = 50


# --- The public directory -------------------------------------------------------------------


def directory_queryset(*, classes_rule_set: Any, q: str = "") -> QuerySet[Membership]:
    """Live members who chose to be listed, ordered by class position, then name.

    Individuals opt in on their membership; organisations through their profile. An
    individual without a full name is not listed: the email address is never shown.
    """
    position = MembershipClass.objects.filter(rule_set=classes_rule_set, code=OuterRef("class_code"))
    listed_people = Q(user__isnull=False, in_directory=True) & ~Q(user__full_name="")
    listed_orgs = Q(organisation__isnull=False, organisation__in_directory=True)
    qs = (
        Membership.objects.filter(state__in=LIVE_STATES)
        .filter(listed_people | listed_orgs)
        .annotate(
            display_name=Coalesce("organisation__legal_name", "user__full_name"),
            class_position=Subquery(position.values("position")[:1]),
        )
        .select_related("organisation")
    )
    if q:
        qs = qs.filter(display_name__icontains=q)
    return qs.order_by("class_position", "class_code", Lower("display_name"), "number")


def directory(request: HttpRequest) -> HttpResponse:
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
        }
        for m in page_obj.object_list
    ]
    return render(
        request,
        "members/directory/list.html",
        {"form": form, "q": q, "page_obj": page_obj, "entries": entries},
    )


# --- The member's own membership -------------------------------------------------------------


def _own_membership(user: Any, number: str | None = None) -> Membership:
    """The membership the user acts for: their own, or (by number) an organisation's."""
    if number is None:
        membership = Membership.objects.select_related("user").filter(user_id=user.pk).first()
        if membership is None:
            raise Http404(_("You are not a member."))
        return membership
    membership = get_object_or_404(Membership.objects.select_related("user", "organisation"), number=number)
    if not can_act_for_membership(user, membership):
        raise Http404(_("No such membership."))
    return membership


@login_required
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
            can_leave=membership.state != S.ENDED,
        )
    return render(request, "members/membership/detail.html", context)


@login_required
@require_POST
def directory_listing(request: HttpRequest) -> HttpResponse:
    membership = _own_membership(request.user)
    form = DirectoryListingForm(request.POST)
    if form.is_valid():
        try:
            membership_set_directory_listing(
                membership=membership, listed=form.cleaned_data["listed"], actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if membership.in_directory:
                messages.success(request, _("You are now listed in the member directory."))
            else:
                messages.success(request, _("You are no longer listed in the member directory."))
    return redirect("members:membership")


@login_required
@require_http_methods(["GET", "POST"])
def renew(request: HttpRequest, number: str | None = None) -> HttpResponse:
    membership = _own_membership(request.user, number)
    if request.method == "POST":
        try:
            outcome = membership_renew_request(membership=membership, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        if outcome.kind == "application":
            messages.success(
                request,
                _("Your renewal was sent to the membership committee. You will hear from them by email."),
            )
        else:
            messages.success(
                request,
                _("Thank you: your membership is renewed until %(date)s.")
                % {
                    "date": outcome.membership.expires_at.date().isoformat()
                    if outcome.membership.expires_at
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


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    membership = _own_membership(request.user)
    if request.method == "POST":
        try:
            membership_leave(membership=membership, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your membership has ended. Thank you for your support."))
        return redirect("members:membership")
    return render(request, "members/membership/leave_confirm.html", {"membership": membership})


@login_required
@require_POST
def reminder_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    from members.services.reminders import reminder_dismiss

    reminder = get_object_or_404(Reminder.objects.select_related("membership__organisation"), pk=pk)
    if not can_dismiss_reminder(request.user, reminder):
        raise PermissionDenied(_("You cannot dismiss this reminder."))
    try:
        reminder_dismiss(reminder=reminder, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect(reverse("core:dashboard"))


__all__ = [
    "directory",
    "directory_listing",
    "leave",
    "membership_detail",
    "reminder_dismiss_view",
    "renew",
]
