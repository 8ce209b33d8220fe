from django.urls import path

from elections.manage import disputes, elections, packages, roll

app_name = "elections_manage"
urlpatterns = [
    path("", elections.index, name="index"),
    path("<slug:slug>/", elections.detail, name="detail"),
    path("<slug:slug>/cancel/", elections.cancel, name="cancel"),
    path("<slug:slug>/close/", elections.close, name="close"),
    path("<slug:slug>/recount/", elections.recount, name="recount"),
    path("<slug:slug>/certify/", elections.certify, name="certify"),
    path("<slug:slug>/packages/", packages.packages, name="packages"),
    path("<slug:slug>/packages/<int:version>.zip", packages.package_download, name="package_download"),
    path("<slug:slug>/roll/", roll.roll, name="roll"),
    path("<slug:slug>/roll/correct/", roll.correct, name="correct"),
    path("<slug:slug>/roll/lines.txt", roll.lines, name="roll_lines"),
    path("disputes/<int:pk>/decide/", disputes.dispute_decide, name="dispute_decide"),
]
