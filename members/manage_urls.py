from django.urls import include, path

app_name = "members_manage"
urlpatterns = [
    path("", include("members.manage_urls_applications")),
    path("", include("members.manage_urls_members")),
]
