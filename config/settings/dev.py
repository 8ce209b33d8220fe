"""Development: the embedded default. Runs with no configuration at all."""

from .base import *  # noqa: F403
from .base import (
    BALLOT_KEK,
    DEMO_FOUNDATION_ADDRESS,
    DEMO_FOUNDATION_TAX_ID,
    FOUNDATION_ADDRESS,
    FOUNDATION_TAX_ID,
    INSTALLED_APPS,
    SECRET_KEY,
    env,
)

DEBUG = env.bool("DEBUG", default=True)
# The demo foundation (seed_demo, demo_logins): development and tests only, never production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
# A fixed key is fine on a developer machine only; production refuses to start without one.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Openly non-production: production refuses to start with this value (elections/sealing.py).
BALLOT_KEK = BALLOT_KEK or "dev-only-insecure-ballot-kek-never-use-in-production"
# The demo foundation's address and tax id on PDF invoices, unless the environment gives real ones.
FOUNDATION_ADDRESS = FOUNDATION_ADDRESS or DEMO_FOUNDATION_ADDRESS
FOUNDATION_TAX_ID = FOUNDATION_TAX_ID or DEMO_FOUNDATION_TAX_ID
