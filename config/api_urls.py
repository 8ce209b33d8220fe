"""/api/v1/: each app contributes its own api/urls.py."""

from django.urls import include, path, re_path

from core.api.views import api_not_found

urlpatterns = [
    path("", include("core.api.urls")),
    path("", include("members.api.urls")),
    path("", include("governance.api.urls")),
    path("", include("elections.api.urls")),
    # Last: every other address under /api/v1/ is a JSON 404 in the error shape.
    re_path(r"^.*$", api_not_found, name="api-not-found"),
]
