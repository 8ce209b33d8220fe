"""The committee's application queue (namespace ``members_manage``, under /manage/members/)."""

from django.urls import path

from members import manage_views_applications as views

urlpatterns = [
    path("applications/", views.application_queue, name="application_queue"),
    path("applications/<int:pk>/", views.application_review, name="application_review"),
    path("applications/<int:pk>/ask/", views.application_ask, name="application_ask"),
    path("applications/<int:pk>/approve/", views.application_approve, name="application_approve"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application_reject"),
]
