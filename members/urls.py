from django.urls import include, path

app_name = "members"
urlpatterns = [
    path("", include("members.urls_apply")),
    path("", include("members.urls_membership")),
]
