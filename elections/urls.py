from django.urls import path

app_name = "elections"
urlpatterns: list = []
