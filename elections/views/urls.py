from django.urls import path

from elections.views import ballots, disputes, elections, nominations

app_name = "elections"
urlpatterns = [
    path("", elections.index, name="index"),
    path("<slug:slug>/", elections.detail, name="detail"),
    path("<slug:slug>/roll/", elections.roll, name="roll"),
    path("<slug:slug>/roll.txt", elections.roll_text, name="roll_text"),
    path("<slug:slug>/nominate/", nominations.nominate, name="nominate"),
    path("<slug:slug>/candidacy/", nominations.candidacy, name="candidacy"),
    path("<slug:slug>/ballot/", ballots.ballot, name="ballot"),
    path("<slug:slug>/trackers/", elections.trackers, name="trackers"),
    path("<slug:slug>/results/", elections.results, name="results"),
    path("<slug:slug>/dispute/", disputes.dispute, name="dispute"),
    path("<slug:slug>/files/<str:kind>", elections.download, name="download"),
]
