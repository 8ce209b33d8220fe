from django.urls import path, re_path

from elections.api import views
from elections.api.views import SLUG_PATTERN, TRACKER_PATTERN

urlpatterns = [
    path("elections/", views.ElectionListView.as_view(), name="api-elections"),
    re_path(rf"^elections/(?P<id>{SLUG_PATTERN})/$", views.ElectionDetailView.as_view(), name="api-election"),
    re_path(
        rf"^elections/(?P<id>{SLUG_PATTERN})/candidates/$",
        views.CandidateListView.as_view(),
        name="api-election-candidates",
    ),
    re_path(
        rf"^elections/(?P<id>{SLUG_PATTERN})/results/$",
        views.ResultsView.as_view(),
        name="api-election-results",
    ),
    re_path(
        rf"^elections/(?P<id>{SLUG_PATTERN})/trackers/(?P<code>{TRACKER_PATTERN})/$",
        views.TrackerView.as_view(),
        name="api-election-tracker",
    ),
]
