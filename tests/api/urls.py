"""The site's URLs plus the two lines config/urls.py gains with the API work
(the token settings page and /.well-known/jwks.json); tests use it until they land."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns
from core.api_views import JWKSView

urlpatterns = [
    path(".well-known/jwks.json", JWKSView.as_view(), name="jwks"),
    path("settings/tokens/", include("core.urls_tokens")),
    *site_urlpatterns,
]
