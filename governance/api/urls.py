from django.urls import path

from governance.api import control, views

urlpatterns = [
    path("rule-sets/", views.RuleSetListView.as_view(), name="api-rule-sets"),
    path("rule-sets/<int:version>/", views.RuleSetDetailView.as_view(), name="api-rule-set"),
    path("board/", views.BoardView.as_view(), name="api-board"),
    path("board/history/", views.BoardHistoryView.as_view(), name="api-board-history"),
    path("decisions/", views.DecisionListView.as_view(), name="api-decisions"),
    path("decisions/<int:number>/", views.DecisionDetailView.as_view(), name="api-decision"),
    path("minutes/", views.MinutesListView.as_view(), name="api-minutes"),
    path("minutes/<int:number>/", views.MinutesDetailView.as_view(), name="api-minutes-detail"),
    path("policies/", views.PolicyListView.as_view(), name="api-policies"),
    path("policies/<slug:slug>/", views.PolicyDetailView.as_view(), name="api-policy"),
    path("control/", control.ControlView.as_view(), name="api-control"),
]
