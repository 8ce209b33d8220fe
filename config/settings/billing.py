"""Billing settings (owned by the billing module): Stripe and dues.

Imported at the end of ``base.py``. With no ``STRIPE_SECRET_KEY`` the app talks to the
fake Stripe (``python manage.py run_fake_stripe``) at ``STRIPE_API_BASE``; a real test or
live key switches to real Stripe (see members/billing/README.md for the webhook set-up).
"""

import environ

env = environ.Env()

# The API version every request and every webhook payload follows. Pinned: a new
# stripe-python or a Dashboard upgrade must not change the shapes the code reads.
STRIPE_API_VERSION = "2025-09-30.clover"

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Where API requests go. Empty means real Stripe; the fake server's address otherwise.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")

# No key at all: development and the demo run against the local fake Stripe. These
# values open nothing real; production.py must refuse to start with STRIPE_USES_FAKE.
STRIPE_USES_FAKE = not STRIPE_SECRET_KEY or bool(STRIPE_API_BASE)
if not STRIPE_SECRET_KEY:
    STRIPE_SECRET_KEY = "sk_test_fake_charter"  # noqa: S105
    STRIPE_PUBLISHABLE_KEY = STRIPE_PUBLISHABLE_KEY or "pk_test_fake_charter"
    STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET or "whsec_fake_charter"
    STRIPE_API_BASE = STRIPE_API_BASE or env.str("FAKE_STRIPE_URL", default="http://127.0.0.1:12111")

# Where the "Pay now", "Invoice me" and portal forms redirect: the CSP's form-action must
# allow these origins on the pages holding those forms (Chrome checks redirects too).
STRIPE_PAGE_ORIGINS = (
    [STRIPE_API_BASE]
    if STRIPE_API_BASE
    else ["https://checkout.stripe.com", "https://invoice.stripe.com", "https://billing.stripe.com"]
)

STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=20.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=1)
# A signed webhook older or newer than this (measured with core.clock) is refused.
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)

BILLING_INVOICE_PREFIX = env.str("BILLING_INVOICE_PREFIX", default="CH")
# Printed on every PDF invoice and receipt (members/billing/pdf.py): the foundation's postal
# address (lines separated by "\n" or real newlines) and its tax id (the US EIN). Development
# and tests fill in demo values (dev.py, test.py).
FOUNDATION_ADDRESS = env.str("FOUNDATION_ADDRESS", default="").replace("\\n", "\n")
FOUNDATION_TAX_ID = env.str("FOUNDATION_TAX_ID", default="")
DEMO_FOUNDATION_ADDRESS = "1 Example Plaza, Suite 100\nSan Francisco, CA 94105\nUnited States"
DEMO_FOUNDATION_TAX_ID = "EIN 00-0000000 (demo)"
# Merged into CELERY_BEAT_SCHEDULE by base.py (the lead wires it; see the billing README).
BILLING_BEAT_SCHEDULE = {
    "billing-issue-invoices": {"task": "billing.issue_due_invoices", "schedule": 3600.0},
    "billing-requeue-stale-events": {"task": "billing.requeue_stale_events", "schedule": 900.0},
}
