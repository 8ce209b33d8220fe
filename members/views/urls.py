"""The members' pages (namespace ``members``), included at /members/."""

from django.urls import path, re_path

from members.views import applications, membership, organisations

app_name = "members"
urlpatterns = [
    # The directory and the member's own membership.
    path("", membership.directory, name="directory"),
    path("membership/", membership.membership_detail, name="membership"),
    path("membership/directory/", membership.directory_listing, name="directory_listing"),
    path("membership/employer/", membership.employer_declare, name="employer_declare"),
    path("membership/leave/", membership.leave, name="leave"),
    path("renew/", membership.renew, name="renew"),
    re_path(r"^renew/(?P<number>M-[0-9A-Z]{4}-[0-9A-Z]{4})/$", membership.renew, name="renew_for"),
    path("reminders/<int:pk>/dismiss/", membership.reminder_dismiss_view, name="reminder_dismiss"),
    # Applying and following an application.
    path("apply/", applications.apply_personal, name="apply"),
    path("apply/organisation/", applications.apply_organisation, name="apply_organisation"),
    path("applications/", applications.my_applications, name="my_applications"),
    path("applications/<int:pk>/", applications.application_detail, name="application_detail"),
    path("applications/<int:pk>/answer/", applications.application_answer, name="application_answer"),
    path("applications/<int:pk>/withdraw/", applications.application_withdraw, name="application_withdraw"),
    # Organisations and invitations.
    path("organisations/<slug:slug>/", organisations.organisation_detail, name="organisation_detail"),
    path(
        "organisations/<slug:slug>/profile/", organisations.organisation_profile, name="organisation_profile"
    ),
    path(
        "organisations/<slug:slug>/representatives/",
        organisations.organisation_representative,
        name="organisation_representative",
    ),
    path("organisations/<slug:slug>/group/", organisations.organisation_group, name="organisation_group"),
    path(
        "organisations/<slug:slug>/alternate/remove/",
        organisations.organisation_remove_alternate,
        name="organisation_remove_alternate",
    ),
    path("invitations/<str:token>/", organisations.invitation_accept, name="invitation_accept"),
]
