from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "elections"
    default_auto_field = "django.db.models.BigAutoField"
