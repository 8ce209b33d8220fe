from django.conf import settings
from django.urls import path

from core.api import views as api_views

urlpatterns = [
    path("audit/head/", api_views.AuditHeadView.as_view(), name="api-audit-head"),
    path("audit/heads/", api_views.AuditHeadsView.as_view(), name="api-audit-heads"),
    # Also served at /.well-known/jwks.json (config/urls.py).
    path("keys/", api_views.JWKSView.as_view(), name="api-jwks"),
]

if settings.CHARTER_BENCH:  # the benchmarks' trivial view (bench/run.py), never in production use
    urlpatterns.append(
        path("bench/ping/", api_views.BenchPingView.as_view(schema=None), name="api-bench-ping")
    )
