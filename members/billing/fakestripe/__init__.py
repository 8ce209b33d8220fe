"""A fake Stripe that behaves like Stripe, for tests and the demo (never production)."""

from members.billing.fakestripe.server import FakeStripe, decode_form
from members.billing.fakestripe.state import API_VERSION, FakeStripeState, sign_payload

__all__ = ["API_VERSION", "FakeStripe", "FakeStripeState", "decode_form", "sign_payload"]
