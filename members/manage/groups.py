"""The membership committee's corporate groups: confirm, merge look-alikes, link subsidiaries,
and decide the changes of group organisations ask for (/manage/members/groups/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import permission_required
from core.views.errors import domain_errors
from members.forms import GroupChangeDecisionForm, GroupConfirmForm, GroupMergeForm, GroupParentForm
from members.models import CorporateGroup, GroupChangeStatus, OrganisationGroupChange
from members.permissions import can_manage_corporate_groups
from members.selectors import group_merge_hints
from members.services import groups as services


def _group(pk: int) -> CorporateGroup:
    return get_object_or_404(CorporateGroup, pk=pk)


@permission_required(can_manage_corporate_groups)
def group_list(request: HttpRequest) -> HttpResponse:
    """Look-alike groups to merge, changes to decide, groups to confirm, and every group."""
    changes = [
        (change, GroupChangeDecisionForm(prefix=f"c{change.pk}"))
        for change in OrganisationGroupChange.objects.filter(status=GroupChangeStatus.PENDING)
        .select_related("organisation", "group", "previous", "requested_by")
        .order_by("requested_at", "pk")
    ]
    return render(
        request,
        "members/manage/groups.html",
        {
            "hints": group_merge_hints(),
            "groups": CorporateGroup.objects.filter(merged_into__isnull=True)
            .select_related("parent")
            .prefetch_related("organisations")
            .order_by("confirmed", "name", "pk"),
            "changes": changes,
            "merge_form": GroupMergeForm(),
            "parent_form": GroupParentForm(),
            "merged": CorporateGroup.objects.filter(merged_into__isnull=False)
            .select_related("merged_into")
            .order_by("-merged_at", "-pk")[:50],
        },
    )


@permission_required(can_manage_corporate_groups)
@require_POST
def group_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(pk)
    form = GroupConfirmForm(request.POST)
    despite = form.is_valid() and form.cleaned_data["despite_lookalike"]
    with domain_errors(request) as outcome:
        services.corporate_group_confirm(group=group, actor=request.user, despite_lookalike=despite)
    if outcome.ok:
        messages.success(request, _("%(name)s is confirmed.") % {"name": group.name})
    return redirect("members_manage:group_list")


@permission_required(can_manage_corporate_groups)
@require_POST
def group_merge(request: HttpRequest) -> HttpResponse:
    form = GroupMergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose both groups from the list."))
        return redirect("members_manage:group_list")
    group = form.cleaned_data["group"]
    with domain_errors(request) as outcome:
        target = services.corporate_group_merge(
            group=group, into=form.cleaned_data["into"], actor=request.user
        )
    if outcome.ok:
        messages.success(
            request, _("%(name)s was merged into %(into)s.") % {"name": group.name, "into": target.name}
        )
    return redirect("members_manage:group_list")


@permission_required(can_manage_corporate_groups)
@require_POST
def group_parent(request: HttpRequest) -> HttpResponse:
    form = GroupParentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the groups from the list."))
        return redirect("members_manage:group_list")
    group = form.cleaned_data["group"]
    with domain_errors(request) as outcome:
        services.corporate_group_set_parent(
            group=group, parent=form.cleaned_data["parent"], actor=request.user
        )
    if outcome.ok:
        messages.success(request, _("The parent of %(name)s was recorded.") % {"name": group.name})
    return redirect("members_manage:group_list")


@permission_required(can_manage_corporate_groups)
@require_POST
def group_change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(OrganisationGroupChange, pk=pk)
    form = GroupChangeDecisionForm(request.POST, prefix=f"c{change.pk}")
    if not form.is_valid():
        messages.error(request, _("Confirm or reject the change."))
        return redirect("members_manage:group_list")
    with domain_errors(request) as outcome:
        decided = services.organisation_group_decide(
            change=change,
            confirm=form.cleaned_data["confirm"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    if outcome.ok:
        if decided.status == GroupChangeStatus.CONFIRMED:
            messages.success(request, _("The organisation moved to %(name)s.") % {"name": decided.group.name})
        else:
            messages.success(request, _("The change was rejected."))
    return redirect("members_manage:group_list")
