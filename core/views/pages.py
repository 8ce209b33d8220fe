from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from core.dashboard import dashboard_context
from core.unavailable import handled_exception_is_unavailable, unavailable_response


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "core/dashboard.html", dashboard_context(user=request.user))


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # The database being unreachable (a restart, a failover) is a 503 with Retry-After.
    if handled_exception_is_unavailable():
        return unavailable_response(request)
    # No context processors that touch the database: the failure may be the database.
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)
