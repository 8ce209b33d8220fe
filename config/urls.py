from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api.views import JWKSView
from core.views import pages as core_pages
from core.views.urls import data_patterns, profile_patterns, token_patterns

handler403 = "core.views.pages.error_403"
handler404 = "core.views.pages.error_404"
handler500 = "core.views.pages.error_500"

urlpatterns = [
    path("", include("core.views.urls")),
    path("accounts/", include("allauth.urls")),
    path("settings/profile/", include(profile_patterns)),
    path("settings/tokens/", include(token_patterns)),
    path("settings/data/", include(data_patterns)),
    # The same keys as /api/v1/keys/, at the well-known address (kept out of the schema).
    path(".well-known/jwks.json", JWKSView.as_view(schema=None), name="jwks"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("members/", include("members.views.urls")),
    path("billing/", include("members.billing.views.urls")),
    path("governance/", include("governance.views.urls")),
    path("elections/", include("elections.views.urls")),
    # Privileged pages: everything under /manage/ needs two-factor authentication.
    path("manage/members/", include("governance.manage.suspension_urls")),  # suspend/, reinstate/
    path("manage/members/", include("members.manage.urls")),
    path("manage/billing/", include("members.billing.manage.urls")),
    path("manage/governance/", include("governance.manage.urls")),
    path("manage/elections/", include("elections.manage.urls")),
    path("manage/privacy/", include("core.manage.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("config.api_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static  # development only: serves uploads

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    urlpatterns += [path("__error/500/", core_pages.error_500)]
