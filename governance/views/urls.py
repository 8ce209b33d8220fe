"""The public transparency pages under /governance/ (no sign-in)."""

from django.urls import path

from governance.views import control as control_views
from governance.views import feeds
from governance.views import search as search_views
from governance.views import transparency as views

app_name = "governance"
urlpatterns = [
    path("", views.transparency, name="index"),
    path("board/", views.board, name="board"),
    path("board/history/", views.board_history, name="board_history"),
    path("committees/", views.committees, name="committees"),
    path("minutes/", views.minutes_list, name="minutes_list"),
    path("minutes/feed/", feeds.MinutesFeed(), name="minutes_feed"),
    path("minutes/<int:number>/", views.minutes_detail, name="minutes_detail"),
    path("minutes/<int:number>/v<int:version>/", views.minutes_detail, name="minutes_version"),
    path("decisions/", views.decisions_list, name="decisions_list"),
    path("decisions/feed/", feeds.DecisionsFeed(), name="decisions_feed"),
    path("decisions/<int:number>/", views.decision_detail, name="decision_detail"),
    path("policies/", views.policies, name="policies"),
    path("policies/<slug:slug>/", views.policy_detail, name="policy_detail"),
    path("policies/<slug:slug>/v<int:version>/", views.policy_detail, name="policy_version"),
    path("policies/<slug:slug>/diff/<int:old>/<int:new>/", views.policy_diff, name="policy_diff"),
    path("rules/", views.rules, name="rules"),
    path("statistics/", views.statistics, name="statistics"),
    path("control/", control_views.control, name="control"),
    path("changes/", views.changes, name="changes"),
    path("search/", search_views.search, name="search"),
]
