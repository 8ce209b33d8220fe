"""Settings shared by every environment.

Everything that differs between machines comes from the environment (see
``.env.example`` and the README's configuration table). With no environment at all
the *embedded default* runs: a SQLite file, email to the console and Celery on
kombu's filesystem transport, so nothing has to be installed.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env is a convenience for development only; production sets real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
FOUNDATION_NAME = env.str("FOUNDATION_NAME", default="Open Enterprise Linux Foundation")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "core",
    "governance",
    "members",
    "members.billing",
    "elections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.SecondFactorMiddleware",
    "core.middleware.NameRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so its process_exception sees a view's error first: the database unreachable -> 503.
    "core.unavailable.DatabaseUnavailableMiddleware",
]
DATABASE_UNAVAILABLE_RETRY_AFTER = 15  # seconds, the Retry-After of that 503

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Dates in the reader's language everywhere (core/templatetags/dates.py).
            "builtins": ["core.templatetags.dates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.site",
                "core.context_processors.background_delay",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# DATABASE_URL switches to PostgreSQL (postgres://user:pass@host:port/name, psycopg 3).
# secure_delete: SQLite overwrites deleted content with zeros, so a copy of the file taken
# after the close keeps no trace of the rows the close deleted (sealed ballots, voted marks).
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA secure_delete=ON;",
}  # see below
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'charter.sqlite3'}"),
}
if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default keeps its files in var/ (gitignored)
# The hottest statement (the voting-rights API's) is prepared on each PostgreSQL connection;
# false behind a pooler in transaction mode, which cannot keep prepared statements.
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer lock instead of failing at once: the worker and the web
    # process share the file in the embedded default. IMMEDIATE takes the write lock when
    # a transaction begins, so concurrent writers queue on the timeout instead of failing
    # with "database is locked" when a read lock cannot be upgraded (concurrent ballots).
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that needs no round trip (core/db/postgresql).
        DATABASES["default"]["ENGINE"] = "core.db.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "core:dashboard"
LOGIN_URL = "account_login"

# --- django-allauth -----------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up asks for the full name too; sign-in applies the preferred language (core/adapters.py).
ACCOUNT_SIGNUP_FORM_CLASS = "core.forms.SignupNameForm"
ACCOUNT_ADAPTER = "core.adapters.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{FOUNDATION_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = FOUNDATION_NAME

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en"
# Only languages whose catalogues are complete (`manage.py catalogues check`, run by the tests).
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("ja", _("Japanese"))]
LANGUAGE_COOKIE_NAME = "charter_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
UPLOAD_MAX_IMAGE_BYTES = env.int("UPLOAD_MAX_IMAGE_BYTES", default=2 * 1024 * 1024)
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=4096 * 4096)

# S3-compatible object storage (django-storages) when a bucket is configured.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email ----------------------------------------------------------------------------
# EMAIL_URL: smtp://user:pass@host:port, smtp+tls://..., or consolemail:// (the default).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Charter <noreply@charter.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery and the outbox ----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message a worker took but never acknowledged (the worker was SIGKILLed, the machine
    # died) goes back to the queue after this many seconds. Longer than any job runs (a
    # count of 100,000 ballots takes seconds); every job is safe to run twice anyway.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)
    }
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge a job when it has finished, not when it starts, and give it back to the broker
# when the process running it dies (OOM killer, SIGKILL): the job runs again, and finishes
# once because every job is idempotent (they take ids and check the state they change).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic work: each app's scheduled tasks are idempotent, so a late or repeated beat
# is harmless. The outbox relay is what turns committed outbox rows into Celery messages.
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "core.relay_outbox", "schedule": 5.0},
    # Hourly, so a head is published at least daily even if a run is missed.
    "publish-audit-head": {"task": "core.publish_audit_head", "schedule": crontab(minute=7)},
    "membership-daily": {"task": "members.run_membership_schedule", "schedule": crontab(minute="*/15")},
    "fetch-bounces": {"task": "members.fetch_bounces", "schedule": crontab(minute="*/10")},
    # Opens and closes nominations and voting on time, freezes rolls, extends or fails.
    "elections-tick": {"task": "elections.run_schedule", "schedule": crontab(minute="*")},
    # Members' data: deletes what the rule set's retention periods no longer allow (a missed
    # run is caught up by the next one).
    "retention-daily": {"task": "core.apply_retention", "schedule": crontab(hour=3, minute=40)},
    # Deletes the lines of frozen rolls whose retention period (rule set) has run out.
    # Tallies written consents whose deadline has passed (governance.services.consents).
    "governance-written-consents": {
        "task": "governance.tally_written_consents",
        "schedule": crontab(minute="*"),
    },
    "elections-roll-retention": {"task": "elections.purge_rolls", "schedule": crontab(minute=23, hour=3)},
}
# --- Ballot secrecy ------------------------------------------------------------------------
# The key-encryption key that wraps each election's private ballot key (elections/sealing.py):
# at least 32 characters, kept outside the database and its backups. Required in production;
# development and tests use an openly non-production default.
BALLOT_KEK = env.str("BALLOT_KEK", default="")
# Ballot receipts are emailed in batches at random times, never one per vote: the schedule
# (every minute) sends the waiting receipts with a chance of 1 in RECEIPT_BATCH_MINUTES once
# at least RECEIPT_BATCH_MIN wait, and of 1 in RECEIPT_BATCH_SMALL_MINUTES while fewer wait.
RECEIPT_BATCH_MIN = env.int("RECEIPT_BATCH_MIN", default=5)
RECEIPT_BATCH_MINUTES = env.int("RECEIPT_BATCH_MINUTES", default=30)
RECEIPT_BATCH_SMALL_MINUTES = env.int("RECEIPT_BATCH_SMALL_MINUTES", default=720)
# While voting is open the election page's turnout is counted at most this often (seconds).
TURNOUT_LIVE_SECONDS = env.int("TURNOUT_LIVE_SECONDS", default=30)

# A mailbox that receives bounces: imap://user:pass@host:port/INBOX, imaps://..., maildir:///path.
BOUNCE_MAILBOX_URL = env.str("BOUNCE_MAILBOX_URL", default="")
CHARTER_INVITATION_DAYS = env.int("CHARTER_INVITATION_DAYS", default=14)
OUTBOX_RELAY_BATCH = env.int("OUTBOX_RELAY_BATCH", default=200)

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.framework.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
# How many reverse proxies (nginx: 1) stand between the clients and gunicorn, each appending
# to X-Forwarded-For. Behind a proxy, REMOTE_ADDR is the proxy's address for everyone: the API
# throttles and allauth's sign-in rate limits would count every client together (one client
# could lock everybody out). With the count set, both take the client's address from the
# header, counting from the right (the entries our proxies wrote; a client's own are ignored).
# Leave it unset (0) when clients reach gunicorn directly: the header is then never trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
if TRUSTED_PROXY_COUNT:
    REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Signed voting-rights statements (JWS) stay valid this long.
SIGNED_STATEMENT_TTL_SECONDS = env.int("SIGNED_STATEMENT_TTL_SECONDS", default=24 * 60 * 60)
# `make bench` serves a trivial API view at /api/v1/bench/ping/ to compare endpoints with.
CHARTER_BENCH = env.bool("CHARTER_BENCH", default=False)
CHARTER_API_THROTTLE_RATES = {
    "api_ip": env.str("API_RATE_PER_IP", default="600/min"),
    "api_token": env.str("API_RATE_PER_TOKEN", default="300/min"),
}
# Throttle state lives in the cache: Redis in production so every web process shares it
# (redis://127.0.0.1:6379/1); per-process memory in the embedded default.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

SPECTACULAR_SETTINGS = {
    "TITLE": "Charter API",
    "DESCRIPTION": "Voting rights and the public record of the foundation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security headers ----------------------------------------------------------------------
# django-csp 4: everything local, no inline script; styles only from our own files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# Paths behind which every page is privileged: a privileged user must have TOTP on.
CHARTER_PRIVILEGED_PATH_PREFIXES = ["/admin/", "/manage/"]

# LOGGING: see "Operations" at the end of this file.
MFA_ACTIVATE_TOTP_URL = "/accounts/2fa/totp/activate/"

from .billing import *  # noqa: E402,F403  (billing's own settings: Stripe)
from .billing import BILLING_BEAT_SCHEDULE  # noqa: E402

CELERY_BEAT_SCHEDULE.update(BILLING_BEAT_SCHEDULE)

# --- Operations: health endpoints, structured logs, error reporting, backups ------------------
# Health probes are answered first (before ALLOWED_HOSTS and the HTTPS redirect: a load
# balancer asks a backend by its address, over HTTP); then every request gets its id.
MIDDLEWARE = ["core.health.HealthCheckMiddleware", "core.logs.RequestLogMiddleware", *MIDDLEWARE]
READYZ_OUTBOX_MAX_LAG_SECONDS = env.int("READYZ_OUTBOX_MAX_LAG_SECONDS", default=300)
READYZ_BEAT_MAX_AGE_SECONDS = env.int("READYZ_BEAT_MAX_AGE_SECONDS", default=180)
READYZ_TIMEOUT_SECONDS = env.float("READYZ_TIMEOUT_SECONDS", default=2.0)
CELERY_BEAT_SCHEDULE["beat-heartbeat"] = {"task": "core.beat_heartbeat", "schedule": 30.0}

# JSON lines on stderr with the request id; routes, never paths; no personal data (core.logs).
from core.logs import logging_config  # noqa: E402

LOG_FORMAT = env.str("LOG_FORMAT", default="json")  # or "plain"
LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"), fmt=LOG_FORMAT)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING too

# Error reporting to Sentry (or a compatible service) only when a DSN is set; scrubbed.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
if SENTRY_DSN:
    from core.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# Backups (manage.py backup / restore): where archives go, and the key that encrypts them.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEY = env.str("BACKUP_KEY", default="")
