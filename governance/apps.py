from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: Django imports this module before any model is
        # loaded, and these modules import models (the usual AppConfig.ready() pattern).
        from core import dashboard
        from governance import permissions, privacy, search
        from governance.register import DECISION_REGISTER
        from governance.services.board import board_follow_membership
        from governance.services.consents import consents_panel
        from governance.services.suspensions import suspension_follow_membership, suspensions_apply_due
        from members.decisions import register_decision_register
        from members.hooks import register_transition_hook
        from members.services.suspensions import register_due_suspensions

        # The bylaws tie board seats to sponsors: see members/hooks.py.
        register_transition_hook(board_follow_membership)
        # Suspensions: the register's (see members/services/suspensions.py).
        register_transition_hook(suspension_follow_membership)
        register_due_suspensions(suspensions_apply_due)
        # Members and billing name decisions of the register (members/decisions.py).
        register_decision_register(DECISION_REGISTER)
        # Written consents awaiting this director's vote (governance/services/consents.py).
        dashboard.register_panel("written_consents", consents_panel, order=15)
        dashboard.register_work_link(
            "governance_manage:index",
            _("Meetings, minutes and decisions"),
            permissions.can_open_board_pages,
            order=30,
        )
        dashboard.register_work_link(
            "governance_manage:board",
            _("Board seats, officers and committees"),
            permissions.can_manage_board,
            order=40,
        )
        dashboard.register_work_link(
            "governance_manage:rules",
            _("Rule-set versions (draft and adopt)"),
            permissions.can_manage_board,
            order=45,
        )
        # Members' data: seats, votes and committees in a person's export; a sitting
        # director must resign before being forgotten (core/privacy.py).
        privacy.register()
        # The public search: minutes, decisions and policies (elections add their own).
        search.register()
