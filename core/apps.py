from django.apps import AppConfig
from django.core.signals import request_started
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import checks, sites  # noqa: F401  (checks registers itself on import)
        from core.models import RuleSet
        from core.rules import forget_cached_rule_sets

        for signal in (post_save, post_delete):
            signal.connect(forget_cached_rule_sets, sender=RuleSet, dispatch_uid=f"core.rules_cache.{signal}")
        post_migrate.connect(sites.site_sync, sender=self, dispatch_uid="core.site_sync")
        from allauth.mfa.signals import authenticator_added

        from core.access import second_factor_on_activation

        authenticator_added.connect(
            second_factor_on_activation, dispatch_uid="core.second_factor_on_activation"
        )
        request_started.connect(sites.sync_site_once, dispatch_uid="core.sync_site_once")

        # Members' data (core/privacy.py): the account's own part, core's retention rules,
        # and the committee's page of erasure requests.
        from core import account_data, dashboard, permissions, privacy
        from core.services import retention

        privacy.register_privacy_part(account_data.PART)
        privacy.register_retention_rule(retention.EMAIL_LOG)
        privacy.register_retention_rule(retention.UNUSED_TOKENS)
        dashboard.register_work_link(
            "privacy_manage:erasure_list",
            _("Requests to be forgotten"),
            permissions.can_review_erasures,
            order=25,
        )
