"""Core's pages: the home page, the dashboard, and the API tokens settings page."""

from django.urls import path

from core import health
from core.views import feeds, pages, tokens

app_name = "core"

token_patterns = (
    [
        path("", tokens.tokens, name="list"),
        path("<int:pk>/revoke/", tokens.token_revoke, name="revoke"),
    ],
    "tokens",
)

urlpatterns = [
    path("", pages.home, name="home"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("audit/heads.atom", feeds.AuditHeadsFeed(), name="audit_heads_feed"),
    # Answered first by core.health.HealthCheckMiddleware (before host checks and redirects).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
