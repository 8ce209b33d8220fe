"""Suspension pages at the member's address (namespace ``governance_suspensions``).

``config/urls.py`` includes these under /manage/members/, before ``members.manage.urls``:
the paths stay where they were, while the views live with the decisions they reference.
"""

from django.urls import re_path

from governance.manage import suspensions

_NUMBER = r"(?P<number>M-[0-9A-Z]{4}-[0-9A-Z]{4})"

app_name = "governance_suspensions"
urlpatterns = [
    re_path(rf"^{_NUMBER}/suspend/$", suspensions.member_suspend, name="member_suspend"),
    re_path(rf"^{_NUMBER}/reinstate/$", suspensions.member_reinstate, name="member_reinstate"),
]
