from django.apps import AppConfig
from django.core.signals import request_started
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import checks, sites  # noqa: F401  (checks registers itself on import)

        post_migrate.connect(sites.site_sync, sender=self, dispatch_uid="core.site_sync")
        request_started.connect(sites.sync_site_once, dispatch_uid="core.sync_site_once")
