from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo foundation: fictional people, sponsors, a board, meetings and elections.

    Installed in development and test settings only (never in production): it creates
    logins with a shared, published password.
    """

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
