"""/api/v1/: each app contributes its own api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("core.api_urls")),
    path("", include("members.api.urls")),
]
