"""Core's privileged pages (namespace ``privacy_manage``), included at /manage/privacy/: the
membership committee's requests to be forgotten."""

from django.urls import path

from core.manage import erasures

app_name = "privacy_manage"
urlpatterns = [
    path("erasures/", erasures.erasure_list, name="erasure_list"),
    path("erasures/<int:pk>/", erasures.erasure_detail, name="erasure_detail"),
    path("erasures/<int:pk>/approve/", erasures.erasure_approve_view, name="erasure_approve"),
    path("erasures/<int:pk>/reject/", erasures.erasure_reject_view, name="erasure_reject"),
]
