"""The count packages of an election, for its observers and committee: download every
version (ballots included where the rule set withholds them from the public) and recount
one inside Charter: signature, hashes, recount with the recorded options, comparison."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.access import permission_required
from core.jws import published_keys
from elections import permissions
from elections.counting.package import check_package
from elections.models import CountPackage
from elections.services.packages import ballots_withheld, current_package
from elections.views import election_or_404


@permission_required(permissions.can_recount_from_package)
def packages(request: HttpRequest, slug: str) -> HttpResponse:
    """GET lists the packages; POST recounts one (``version``) against the published keys."""
    election = election_or_404(slug)
    versions = list(CountPackage.objects.filter(election=election).defer("data").order_by("-version"))
    check = None
    checked = None
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        chosen = CountPackage.objects.filter(election=election, version=version).first()
        if chosen is not None:
            checked = chosen
            check = check_package(bytes(chosen.data), jwks={"keys": published_keys()})
    current = current_package(election)
    return render(
        request,
        "elections/manage/packages.html",
        {
            "election": election,
            "packages": versions,
            "current": current.version if current else None,
            "withheld": ballots_withheld(election),
            "check": check,
            "checked": checked,
        },
    )


@permission_required(permissions.can_recount_from_package)
def package_download(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    election = election_or_404(slug)
    package = CountPackage.objects.filter(election=election, version=version).first()
    if package is None:
        raise Http404
    response = HttpResponse(bytes(package.data), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.name}"'
    return response
