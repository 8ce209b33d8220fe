from django.urls import path, re_path

from members import views_membership as views

# Included at /members/ (namespace "members").
urlpatterns = [
    path("", views.directory, name="directory"),
    path("membership/", views.membership_detail, name="membership"),
    path("membership/directory/", views.directory_listing, name="directory_listing"),
    path("membership/leave/", views.leave, name="leave"),
    path("renew/", views.renew, name="renew"),
    re_path(r"^renew/(?P<number>M-[0-9A-Z]{4}-[0-9A-Z]{4})/$", views.renew, name="renew_for"),
    path("reminders/<int:pk>/dismiss/", views.reminder_dismiss_view, name="reminder_dismiss"),
]
