"""Create the demo foundation. Idempotent; refuses to run under production settings."""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Each app contributes its part; later issues add theirs to this list.
PARTS = [
    ("governance.demo", "seed_governance"),
    ("members.billing.demo", "seed_billing"),
    ("elections.demo", "seed_elections"),
]


class Command(BaseCommand):
    help = "Create (or complete) the demo foundation with fictional people. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        module = settings.SETTINGS_MODULE or ""
        production = module.endswith(".production")
        testing = module.endswith(".test")
        if production or not (settings.DEBUG or testing):
            raise CommandError("seed_demo refuses to run outside development: it creates demo logins.")
        from members.demo import seed_members, seed_people

        self.stdout.write("Seeding the demo foundation…")
        people = seed_people(stdout=self.stdout)
        seed_members(stdout=self.stdout, people=people)
        for module_name, function in PARTS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            getattr(module, function)(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo foundation ready."))
