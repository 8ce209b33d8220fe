from django.urls import path

from elections import manage_views as views

app_name = "elections_manage"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/cancel/", views.cancel, name="cancel"),
    path("<slug:slug>/close/", views.close, name="close"),
    path("<slug:slug>/recount/", views.recount, name="recount"),
    path("<slug:slug>/certify/", views.certify, name="certify"),
    path("<slug:slug>/roll/", views.roll, name="roll"),
    path("<slug:slug>/roll/correct/", views.correct, name="correct"),
    path("disputes/<int:pk>/decide/", views.dispute_decide, name="dispute_decide"),
]
