"""Tests: the embedded default, faster hashing, in-memory email unless a test asks for SMTP."""

from .base import *  # noqa: F403
from .base import (
    BALLOT_KEK,
    DEMO_FOUNDATION_ADDRESS,
    DEMO_FOUNDATION_TAX_ID,
    FOUNDATION_ADDRESS,
    FOUNDATION_TAX_ID,
    INSTALLED_APPS,
)

DEBUG = False
# The demo foundation (seed_demo, demo_logins): development and tests only, never production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
SECRET_KEY = "test-only-key"  # noqa: S105
BALLOT_KEK = BALLOT_KEK or "dev-only-insecure-ballot-kek-never-use-in-production"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests send Celery tasks only where a test is about tasks (they start a real worker).
CELERY_TASK_ALWAYS_EAGER = False
OUTBOX_PUBLISH_ON_COMMIT = False  # tests run jobs explicitly (run_jobs) or with a real worker
# Browser journeys move time for the server, the worker and the test at once (core.clock).
CLOCK_OFFSET_FILE = env.str("CHARTER_CLOCK_FILE", default="")  # noqa: F405
# The demo foundation's address and tax id on PDF invoices, unless the environment gives real ones.
FOUNDATION_ADDRESS = FOUNDATION_ADDRESS or DEMO_FOUNDATION_ADDRESS
FOUNDATION_TAX_ID = FOUNDATION_TAX_ID or DEMO_FOUNDATION_TAX_ID
