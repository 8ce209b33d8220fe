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
        # Members' data: export, erasure and retention of memberships (core/privacy.py).
        privacy.register()
