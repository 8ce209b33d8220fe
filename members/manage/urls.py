"""The committee's and the board's member pages (namespace ``members_manage``), included at
/manage/members/. Member pages are named ``member_*`` because the applications share the
namespace."""

from django.urls import path, re_path

from members.manage import applications, groups, members

_NUMBER = r"(?P<number>M-[0-9A-Z]{4}-[0-9A-Z]{4})"

app_name = "members_manage"
urlpatterns = [
    # The application queue.
    path("applications/", applications.application_queue, name="application_queue"),
    path("applications/<int:pk>/", applications.application_review, name="application_review"),
    path("applications/<int:pk>/ask/", applications.application_ask, name="application_ask"),
    path("applications/<int:pk>/approve/", applications.application_approve, name="application_approve"),
    path("applications/<int:pk>/reject/", applications.application_reject, name="application_reject"),
    # Corporate groups: confirm, merge, link subsidiaries, decide organisations' changes.
    path("groups/", groups.group_list, name="group_list"),
    path("groups/<int:pk>/confirm/", groups.group_confirm, name="group_confirm"),
    path("groups/merge/", groups.group_merge, name="group_merge"),
    path("groups/parent/", groups.group_parent, name="group_parent"),
    path("groups/changes/<int:pk>/decide/", groups.group_change_decide, name="group_change_decide"),
    # The member list, who was not reached, one member. Suspending and lifting a suspension
    # (…/suspend/, …/reinstate/) need the board's register: governance/manage/suspension_urls.py.
    path("", members.member_list, name="member_list"),
    path("export.csv", members.member_export, name="member_export"),
    path("not-reached/", members.not_reached, name="not_reached"),
    re_path(rf"^{_NUMBER}/$", members.member_detail, name="member_detail"),
]
