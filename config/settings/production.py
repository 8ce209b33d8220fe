"""Production: refuses to start without its secrets; HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STRIPE_USES_FAKE, env

DEBUG = False


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Production settings need the environment variable {name}.")
    return value


SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
_required("DATABASE_URL")  # the embedded SQLite default is never a production database
# Dues are real money: production talks to real Stripe and verifies every webhook.
_required("STRIPE_SECRET_KEY")
_required("STRIPE_WEBHOOK_SECRET")
if STRIPE_USES_FAKE:
    raise ImproperlyConfigured("Production must not point STRIPE_API_BASE at the fake Stripe.")
# Wraps each election's private ballot key; keep it outside the database and its backups.
BALLOT_KEK = _required("BALLOT_KEK")
from elections.sealing import check_kek  # noqa: E402

check_kek(BALLOT_KEK, production=True)

# Signed voting-rights statements: the Ed25519 key comes from SIGNING_KEY_PEM or
# SIGNING_KEY_PEM_FILE; without a valid one, production does not start.
from core.jws import check_production_key  # noqa: E402

check_production_key()

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Checks silenced on purpose, each with its reason:
# - security.W021 (HSTS preload): preloading is a one-way commitment for the whole
#   domain that the operator must choose; SECURE_HSTS_PRELOAD turns it on.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
