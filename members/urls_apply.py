"""Applying, following an application, organisation pages and invitations (namespace ``members``)."""

from django.urls import path

from members import views_apply as views

urlpatterns = [
    path("apply/", views.apply_personal, name="apply"),
    path("apply/organisation/", views.apply_organisation, name="apply_organisation"),
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/answer/", views.application_answer, name="application_answer"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/profile/", views.organisation_profile, name="organisation_profile"),
    path(
        "organisations/<slug:slug>/representatives/",
        views.organisation_representative,
        name="organisation_representative",
    ),
    path(
        "organisations/<slug:slug>/alternate/remove/",
        views.organisation_remove_alternate,
        name="organisation_remove_alternate",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
