"""Create the demo foundation. Idempotent; refuses to run under production settings."""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_publish_head
from demo.billing import seed_billing
from demo.control import seed_control
from demo.elections import seed_elections
from demo.governance import seed_governance
from demo.members import seed_members, seed_people


class Command(BaseCommand):
    help = "Create (or complete) the demo foundation with fictional people. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        module = settings.SETTINGS_MODULE or ""
        production = module.endswith(".production")
        testing = module.endswith(".test")
        if production or not (settings.DEBUG or testing):
            raise CommandError("seed_demo refuses to run outside development: it creates demo logins.")
        self.stdout.write("Seeding the demo foundation…")
        out = cast(TextIO, self.stdout)  # an OutputWrapper: a text stream the seeders write to
        people = seed_people(stdout=out)
        seed_members(stdout=out, people=people)
        # Governance first (the board, its officers and committees), then dues, then elections.
        seed_governance(stdout=out)
        seed_billing(stdout=out)
        seed_elections(stdout=out)
        seed_control(stdout=out)  # a draft rule set for the control page's what-if preview
        # Publish the head now, so the demo's heads feed is not empty until the hourly job.
        audit_publish_head(reason="demo")
        self.stdout.write(self.style.SUCCESS("Demo foundation ready."))
