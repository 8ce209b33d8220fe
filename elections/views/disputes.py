"""Filing a dispute about an election."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.access import permission_required
from core.views.errors import domain_errors
from elections import permissions
from elections.forms import DisputeForm
from elections.services.results import dispute_file
from elections.views import election_or_404


@permission_required(permissions.can_file_dispute)
def dispute(request: HttpRequest, slug: str) -> HttpResponse:
    election = election_or_404(slug)
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as outcome:
            dispute_file(election=election, body=form.cleaned_data["body"], actor=request.user)
        if outcome.ok:
            return render(request, "elections/dispute_filed.html", {"election": election})
    return render(
        request,
        "elections/dispute.html",
        {"election": election, "form": form},
        status=400 if form.errors else 200,
    )
