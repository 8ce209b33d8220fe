from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "members.billing"
    label = "billing"
    verbose_name = _("Dues and payments")
    default_auto_field = "django.db.models.BigAutoField"
