from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "members.billing"
    label = "billing"
    verbose_name = "Dues and payments"
    default_auto_field = "django.db.models.BigAutoField"
