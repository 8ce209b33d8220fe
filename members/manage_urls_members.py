from django.urls import path, re_path

from members import manage_views_members as views

# Included at /manage/members/ (namespace "members_manage"); names are prefixed with
# "member_" because the applications pages share the namespace.
_NUMBER = r"(?P<number>M-[0-9A-Z]{4}-[0-9A-Z]{4})"

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("export.csv", views.member_export, name="member_export"),
    path("not-reached/", views.not_reached, name="not_reached"),
    re_path(rf"^{_NUMBER}/$", views.member_detail, name="member_detail"),
    re_path(rf"^{_NUMBER}/suspend/$", views.member_suspend, name="member_suspend"),
    re_path(rf"^{_NUMBER}/reinstate/$", views.member_reinstate, name="member_reinstate"),
]
