"""The rule set under /manage/governance/rules/: the board drafts a version and adopts it.

The secretary and the chair (``can_manage_board``) start a draft from the newest adopted
version, edit its numbers, its membership classes and every registered part (the election
numbers), and adopt it by an adopted decision of the register. Adopted versions are shown,
never edited. Every write goes through ``governance/services/rules.py``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import permission_required
from core.models import RuleSet
from core.rules import RuleSetPart, field_label, rule_set_parts
from core.views.errors import domain_errors
from governance import permissions
from governance.forms import (
    MembershipClassFormSet,
    RuleSetAdoptForm,
    RuleSetForm,
    RuleSetPartForm,
    class_rows,
)
from governance.services import rules as rule_services
from members.models import MembershipClass


def _version(request: HttpRequest, version: int) -> RuleSet:
    return get_object_or_404(RuleSet, version=version)


def part_forms(rule_set: RuleSet, data: Any = None) -> list[tuple[RuleSetPart, forms.ModelForm]]:
    result = []
    for part in rule_set_parts():
        instance = part.instance(rule_set)
        form_class = forms.modelform_factory(type(instance), form=RuleSetPartForm, fields=part.fields)
        result.append((part, form_class(data, instance=instance, prefix=part.key)))
    return result


def _classes(rule_set: RuleSet) -> list[MembershipClass]:
    return list(MembershipClass.objects.filter(rule_set=rule_set).order_by("position", "code"))


def _page(request: HttpRequest, rule_set: RuleSet, **context: Any) -> HttpResponse:
    classes = _classes(rule_set)
    if rule_set.is_draft:
        context.setdefault("form", RuleSetForm(instance=rule_set))
        context.setdefault(
            "class_formset",
            MembershipClassFormSet(
                initial=[{n: getattr(k, n) for n in rule_services.CLASS_FIELDS} for k in classes],
                prefix="classes",
            ),
        )
        context.setdefault("part_forms", part_forms(rule_set))
        context.setdefault(
            "adopt_form", RuleSetAdoptForm(decisions=rule_services.adoptable_decisions(rule_set))
        )
    else:
        context["values"] = [
            (field_label(RuleSet, name), getattr(rule_set, name)) for name in rule_services.EDITABLE_FIELDS
        ]
        context["parts"] = [
            (part, [(field_label(i, n), getattr(i, n)) for n in part.fields])
            for part in rule_set_parts()
            for i in [part.instance(rule_set)]
        ]
    return render(
        request,
        "governance/manage/rules_detail.html",
        {"rule_set": rule_set, "classes": classes, **context},
    )


@permission_required(permissions.can_manage_board)
def rules(request: HttpRequest) -> HttpResponse:
    versions = RuleSet.objects.order_by("-version")
    return render(
        request,
        "governance/manage/rules.html",
        {"versions": versions, "has_draft": any(v.is_draft for v in versions)},
    )


@permission_required(permissions.can_manage_board)
@require_POST
def rule_draft(request: HttpRequest) -> HttpResponse:
    with domain_errors(request) as outcome:
        draft = rule_services.rule_set_draft(actor=request.user)
    if outcome.ok:
        messages.success(request, _("Version %(version)s drafted.") % {"version": draft.version})
        return redirect("governance_manage:rule_detail", draft.version)
    return redirect("governance_manage:rules")


@permission_required(permissions.can_manage_board)
def rule_detail(request: HttpRequest, version: int) -> HttpResponse:
    """An adopted version, read-only; a draft, with its edit and adoption forms."""
    rule_set = _version(request, version)
    if request.method != "POST":
        return _page(request, rule_set)
    if not rule_set.is_draft:
        messages.error(request, _("An adopted version never changes. Draft a new version instead."))
        return redirect("governance_manage:rule_detail", rule_set.version)
    form = RuleSetForm(request.POST, instance=RuleSet.objects.get(pk=rule_set.pk))
    class_formset = MembershipClassFormSet(request.POST, prefix="classes")
    bound_parts = part_forms(rule_set, request.POST)
    valid = [form.is_valid(), class_formset.is_valid(), *(f.is_valid() for _p, f in bound_parts)]
    if all(valid):
        with domain_errors(request, form) as outcome:
            rule_services.rule_set_update(
                actor=request.user,
                rule_set=rule_set,
                classes=class_rows(class_formset),
                parts={part.key: f.cleaned_data for part, f in bound_parts},
                **form.cleaned_data,
            )
        if outcome.ok:
            messages.success(request, _("Draft saved."))
            return redirect("governance_manage:rule_detail", rule_set.version)
    return _page(request, rule_set, form=form, class_formset=class_formset, part_forms=bound_parts)


@permission_required(permissions.can_manage_board)
@require_POST
def rule_adopt(request: HttpRequest, version: int) -> HttpResponse:
    rule_set = _version(request, version)
    form = RuleSetAdoptForm(request.POST, decisions=rule_services.adoptable_decisions(rule_set))
    if rule_set.is_draft and form.is_valid():
        with domain_errors(request, form) as outcome:
            rule_services.rule_set_adopt(
                actor=request.user,
                rule_set=rule_set,
                decision=form.cleaned_data["decision"],
                effective_from=form.cleaned_data["effective_from"],
            )
        if outcome.ok:
            messages.success(request, _("Version %(version)s adopted.") % {"version": rule_set.version})
            return redirect("governance_manage:rule_detail", rule_set.version)
    if not rule_set.is_draft:
        messages.error(request, _("Version %(version)s is already adopted.") % {"version": rule_set.version})
        return redirect("governance_manage:rule_detail", rule_set.version)
    return _page(request, rule_set, adopt_form=form)
