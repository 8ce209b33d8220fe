"""Core's pages: the home page, the dashboard, the privacy page, and the settings pages for the
profile, API tokens and one's own data (export, erasure)."""

from django.urls import path

from core import health
from core.views import feeds, pages, privacy, profile, tokens

app_name = "core"

token_patterns = (
    [
        path("", tokens.tokens, name="list"),
        path("<int:pk>/revoke/", tokens.token_revoke, name="revoke"),
    ],
    "tokens",
)

data_patterns = (
    [
        path("", privacy.your_data, name="index"),
        path("export/", privacy.export, name="export"),
        path("erase/", privacy.erase, name="erase"),
        path("erase/withdraw/", privacy.withdraw, name="withdraw"),
    ],
    "personal_data",
)

profile_patterns = ([path("", profile.profile, name="edit")], "profile")

urlpatterns = [
    path("", pages.home, name="home"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("audit/heads.atom", feeds.AuditHeadsFeed(), name="audit_heads_feed"),
    path("privacy/", privacy.privacy_page, name="privacy"),
    # Answered first by core.health.HealthCheckMiddleware (before host checks and redirects).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
