from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "elections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: these modules read models, which load only once
        # the app registry is ready (Django's documented place for such wiring).
        from core import dashboard
        from core.rules import register_rule_set_part
        from elections import permissions, privacy
        from elections.control import frozen_rolls
        from elections.search import ELECTIONS_SOURCE
        from elections.selectors import ROLL_LOOKUP, directors_elect, member_election_prompts
        from elections.services.rule_sets import ELECTION_RULES_PART
        from elections.services.strikes import roll_follow_membership
        from governance.control_elections import register_frozen_rolls
        from governance.directors_elect import register_directors_elect
        from governance.search import register_search_source
        from members.hooks import register_transition_hook
        from members.rights import register_roll_rights

        dashboard.register_panel("election_prompts", member_election_prompts, order=20)
        dashboard.register_work_link(
            "elections_manage:index", _("Run elections"), permissions.can_view_committee_pages, order=60
        )
        # ``GET /api/v1/voting-rights/…?election=`` answers from the frozen roll (members/rights.py).
        register_roll_rights(ROLL_LOOKUP)
        # A rule-set version drafted by the board copies its election numbers (core/rules.py).
        register_rule_set_part(ELECTION_RULES_PART)
        # Members' data: nominations and roll lines in a person's export; a person on an
        # open election's roll is forgotten only after its end (core/privacy.py).
        privacy.register()
        # A member suspended while the roll is frozen loses their vote (elections/services/strikes.py).
        register_transition_hook(roll_follow_membership)
        # The control figures read each group's weight on frozen rolls (governance/control_elections.py).
        register_frozen_rolls(frozen_rolls)
        # Elections in the public search (governance/search.py).
        register_search_source(ELECTIONS_SOURCE)
        # The board's pages and API show who was elected and when they take office (governance/directors_elect.py).
        register_directors_elect(directors_elect)
