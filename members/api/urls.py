from django.urls import path, re_path

from members.api import views
from members.api.views import NUMBER_PATTERN

urlpatterns = [
    path("voting-rights/me/", views.MyVotingRightsView.as_view(), name="api-voting-rights-me"),
    re_path(
        rf"^voting-rights/members/(?P<number>{NUMBER_PATTERN})/$",
        views.MemberVotingRightsView.as_view(),
        name="api-voting-rights-member",
    ),
    re_path(
        rf"^voting-rights/organisations/(?P<number>{NUMBER_PATTERN})/$",
        views.OrganisationVotingRightsView.as_view(),
        name="api-voting-rights-organisation",
    ),
    path("membership-classes/", views.MembershipClassesView.as_view(), name="api-membership-classes"),
    path("organisations/", views.DirectoryOrganisationsView.as_view(), name="api-organisations"),
]
