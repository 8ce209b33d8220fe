from django.urls import path

from members.billing import manage_views

app_name = "billing_manage"
urlpatterns = [
    path("", manage_views.overview, name="overview"),
    path("export.csv", manage_views.export_csv, name="export"),
    path("invoices/<str:number>/in-kind/", manage_views.in_kind, name="in_kind"),
    path("flags/<int:pk>/resolve/", manage_views.resolve_flag, name="resolve_flag"),
]
