from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: these import the models, which are not loaded yet
        # when Django imports this module (AppRegistryNotReady), not to dodge a cycle.
        from core import dashboard
        from members import permissions, privacy
        from members.selectors import member_dashboard

        dashboard.register_panel("member", member_dashboard, order=10)
        dashboard.register_work_link(
            "members_manage:application_queue",
            _("Review membership applications"),
            permissions.can_review_applications,
            order=10,
        )
        dashboard.register_work_link(
            "members_manage:group_list",
            _("Corporate groups: confirm, merge, link"),
            permissions.can_manage_corporate_groups,
            order=15,
        )
        dashboard.register_work_link(
            "members_manage:member_list",
            _("Members, renewals and who was not reached"),
            permissions.can_manage_members,
            order=20,
        )
        # The classes of each rule-set version, cached with the version (core/rules.py).
        from django.db.models.signals import post_delete, post_save

        from core.rules import forget_cached_rule_sets, register_rule_set_cache
        from members import rights
        from members.models import MembershipClass

        register_rule_set_cache(rights.forget_cached_classes)
        for signal in (post_save, post_delete):
            signal.connect(
                forget_cached_rule_sets,
                sender=MembershipClass,
                dispatch_uid=f"members.classes_cache.{signal}",
            )
        # Members' data: export, erasure and retention of memberships (core/privacy.py).
        privacy.register()
