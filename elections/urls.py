from django.urls import path

from elections import views

app_name = "elections"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/roll/", views.roll, name="roll"),
    path("<slug:slug>/roll.txt", views.roll_text, name="roll_text"),
    path("<slug:slug>/nominate/", views.nominate, name="nominate"),
    path("<slug:slug>/candidacy/", views.candidacy, name="candidacy"),
    path("<slug:slug>/ballot/", views.ballot, name="ballot"),
    path("<slug:slug>/trackers/", views.trackers, name="trackers"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/dispute/", views.dispute, name="dispute"),
    path("<slug:slug>/files/<str:kind>", views.download, name="download"),
]
