from django.urls import path

from members.billing.manage import views

app_name = "billing_manage"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.csv", views.export_csv, name="export"),
    path("invoices/<str:number>/in-kind/", views.in_kind, name="in_kind"),
    path("flags/<int:pk>/resolve/", views.resolve_flag, name="resolve_flag"),
    path("events/<str:event_id>/retry/", views.retry_event, name="retry_event"),
]
