"""The API tokens settings page; included at /settings/tokens/ by config/urls.py."""

from django.urls import path

from core import views_tokens

app_name = "tokens"
urlpatterns = [
    path("", views_tokens.tokens, name="list"),
    path("<int:pk>/revoke/", views_tokens.token_revoke, name="revoke"),
]
