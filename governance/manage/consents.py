"""Written consents under /manage/governance/consents/: the secretary proposes, each director votes.

Views parse input, check permission and call one service (``governance.services.consents``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import clock
from core.access import permission_required
from core.views.errors import domain_errors
from governance import permissions
from governance.forms import ConsentVoteForm, WrittenConsentForm
from governance.markdown import render_markdown
from governance.models import ConsentVote, WrittenConsent
from governance.services import consents as consent_services
from governance.services.meetings import directors_at


@permission_required(permissions.can_propose_written_consent)
def consent_create(request: HttpRequest) -> HttpResponse:
    form = WrittenConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            consent = consent_services.written_consent_propose(
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                deadline=form.cleaned_data["deadline"],
                actor=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Written consent proposed; the directors were asked to vote."))
            return redirect("governance_manage:consent", pk=consent.pk)
    return render(request, "governance/manage/consent_form.html", {"form": form})


@permission_required(permissions.can_open_board_pages)
def consent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The resolution, who has voted so far, and (for a director who has not) the vote form."""
    consent = get_object_or_404(WrittenConsent.objects.select_related("decision", "meeting"), pk=pk)
    mine = ConsentVote.objects.filter(consent=consent, director_id=request.user.pk).first()
    can_vote = mine is None and permissions.can_vote_written_consent(request.user, consent)
    form = ConsentVoteForm(request.POST or None)
    if request.method == "POST":
        if not can_vote:
            # A second vote, a closed consent or someone not in office: the service says which.
            with domain_errors(request) as outcome:
                consent_services.written_consent_vote(
                    consent=consent, choice=request.POST.get("choice", ""), actor=request.user
                )
            return redirect("governance_manage:consent", pk=consent.pk)
        if form.is_valid():
            with domain_errors(request, form) as outcome:
                consent_services.written_consent_vote(
                    consent=consent, choice=form.cleaned_data["choice"], actor=request.user
                )
            if outcome.ok:
                messages.success(request, _("Your vote is recorded."))
                return redirect("governance_manage:consent", pk=consent.pk)
    votes = list(ConsentVote.objects.filter(consent=consent).select_related("director"))
    voted = {v.director_id for v in votes}
    directors = sorted(directors_at(min(clock.now(), consent.meeting.scheduled_at)).values(), key=str)
    return render(
        request,
        "governance/manage/consent_detail.html",
        {
            "consent": consent,
            "text_html": render_markdown(consent.text),
            "mine": mine,
            "can_vote": can_vote,
            "form": form,
            "directors": [(d, d.pk in voted) for d in directors],
            "voted_count": len(voted),
        },
        status=400 if form.errors else 200,
    )
