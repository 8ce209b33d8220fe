"""Nominating a candidate, and the nominee's page to accept, decline or withdraw."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import permission_required
from core.views.errors import domain_errors
from elections import permissions
from elections.forms import AcceptForm, NominationForm
from elections.models import Candidate
from elections.selectors import nominating_memberships
from elections.services import nominations as nomination_services
from elections.views import election_or_404


@permission_required(permissions.can_nominate_candidate)
def nominate(request: HttpRequest, slug: str) -> HttpResponse:
    election = election_or_404(slug)
    memberships = nominating_memberships(user=request.user)
    form = NominationForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        membership = next(m for m in memberships if m.number == form.cleaned_data["on_behalf_of"])
        nominee = get_user_model().objects.filter(email__iexact=form.cleaned_data["nominee_email"]).first()
        if nominee is None:
            form.add_error("nominee_email", _("No account uses this address."))
        else:
            with domain_errors(request, form) as outcome:
                nomination_services.nomination_create(
                    election=election, nominator=membership, nominee=nominee, actor=request.user
                )
            if outcome.ok:
                return redirect("elections:detail", slug=election.slug)
    return render(
        request,
        "elections/nominate.html",
        {"election": election, "form": form, "memberships": memberships},
    )


def _answer(action: str, candidate: Candidate, form: AcceptForm, actor: Any) -> None:
    if action == "accept":
        chosen = form.cleaned_data["employer"]
        nomination_services.candidate_accept(
            candidate=candidate,
            statement=form.cleaned_data["statement"],
            employer=chosen.employer if chosen else None,
            independent=bool(chosen and chosen.independent),
            proposed_employer=form.cleaned_data["proposed_employer"],
            actor=actor,
        )
    elif action == "decline":
        nomination_services.candidate_decline(candidate=candidate, actor=actor)
    else:
        nomination_services.candidate_withdraw(candidate=candidate, actor=actor)


@permission_required(permissions.can_answer_nomination)
def candidacy(request: HttpRequest, slug: str) -> HttpResponse:
    """The nominee's page: accept (statement, employer), decline, or withdraw.

    A refusal is shown as a message: the form is not on the page in every state.
    """
    election = election_or_404(slug)
    candidate = Candidate.objects.filter(election=election, person_id=request.user.pk).first()
    if candidate is None:
        raise Http404
    form = AcceptForm(request.POST or None)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if (action == "accept" and form.is_valid()) or action in ("decline", "withdraw"):
        with domain_errors(request) as outcome:
            _answer(action, candidate, form, request.user)
        if outcome.ok:
            return redirect("elections:candidacy", slug=election.slug)
    return render(
        request,
        "elections/candidacy.html",
        {"election": election, "candidate": candidate, "form": form},
    )
