"""System checks of core, registered in ``CoreConfig.ready()``."""

from __future__ import annotations

from django.core import checks

from core.jws import signing_key_deploy_errors


@checks.register(checks.Tags.security, deploy=True)
def check_signing_key(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Deploy check: production must be given its signing key (see ``core.jws``)."""
    return signing_key_deploy_errors()
