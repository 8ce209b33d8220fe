"""The board's pages under /manage/governance/ (two-factor authentication required)."""

from django.urls import path

from governance.manage import board as board_views
from governance.manage import consents as consent_views
from governance.manage import control as control_views
from governance.manage import meetings as views
from governance.manage import rules as rules_views

app_name = "governance_manage"
urlpatterns = [
    path("", views.index, name="index"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="attendance"),
    path("meetings/<int:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("meetings/<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("minutes/<int:number>/publish/", views.minutes_publish, name="minutes_publish"),
    path("minutes/<int:number>/correct/", views.minutes_correct, name="minutes_correct"),
    path("consents/new/", consent_views.consent_create, name="consent_create"),
    path("consents/<int:pk>/", consent_views.consent_detail, name="consent"),
    path("board/", board_views.board, name="board"),
    path("board/seats/fill/", board_views.seat_fill, name="seat_fill"),
    path("board/holdings/<int:pk>/vacate/", board_views.seat_vacate, name="seat_vacate"),
    path("board/officers/", board_views.officer_appoint, name="officer_appoint"),
    path("board/committees/", board_views.committee_member_add, name="committee_member_add"),
    path("board/required-seats/", board_views.required_seats, name="required_seats"),
    path("declaration/", board_views.declaration, name="declaration"),
    path("rules/", rules_views.rules, name="rules"),
    path("rules/draft/", rules_views.rule_draft, name="rule_draft"),
    path("rules/<int:version>/", rules_views.rule_detail, name="rule_detail"),
    path("rules/<int:version>/adopt/", rules_views.rule_adopt, name="rule_adopt"),
    path("control/", control_views.control_what_if, name="control_what_if"),
]
