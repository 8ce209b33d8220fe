"""The committee chair decides a dispute."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import permission_required
from core.views.errors import domain_errors
from elections import permissions
from elections.forms import DisputeDecisionForm
from elections.models import Dispute
from elections.services.results import dispute_decide as dispute_decide_service


@permission_required(permissions.can_decide_dispute)
@require_POST
def dispute_decide(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(Dispute.objects.select_related("election"), pk=pk)
    form = DisputeDecisionForm(request.POST, prefix=f"d{dispute.pk}")
    if not form.is_valid():
        messages.error(request, _("Please choose a decision and give a reason."))
    else:
        with domain_errors(request) as outcome:
            dispute_decide_service(
                dispute=dispute,
                upheld=form.cleaned_data["upheld"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Dispute decided."))
    return redirect("elections_manage:detail", slug=dispute.election.slug)
