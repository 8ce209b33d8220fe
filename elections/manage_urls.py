from django.urls import path  # noqa: F401

app_name = "elections_manage"
urlpatterns: list = []
