"""Run the fake Stripe for development and the demo (``make run`` starts it when no key is set)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from members.billing.fakestripe import FakeStripe


class Command(BaseCommand):
    help = "Serve a fake Stripe on loopback that delivers signed webhooks to this site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=12111)
        parser.add_argument(
            "--webhook-url",
            default=f"{settings.SITE_URL.rstrip('/')}/billing/stripe/webhook/",
            help="Where events are delivered (default: SITE_URL + /billing/stripe/webhook/).",
        )
        parser.add_argument("--delay", type=float, default=0.0, help="Seconds before each delivery.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.STRIPE_USES_FAKE:
            raise CommandError("A real Stripe key is configured: the fake Stripe is not used.")
        fake = FakeStripe(
            webhook_url=options["webhook_url"],
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            host=options["host"],
            port=options["port"],
        )
        fake.state.delivery_delay = options["delay"]
        self.stdout.write(f"Fake Stripe on {fake.url}, delivering webhooks to {options['webhook_url']}")
        try:
            fake.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            fake.stop()
