from typing import Any

from django.core.management.base import BaseCommand

from demo.members import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Print the demo logins (and TOTP URIs for privileged ones)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_logins()
        if not rows:
            self.stdout.write("No demo logins: run `python manage.py seed_demo` first.")
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for row in rows:
            roles = ", ".join(row["roles"]) or "member"
            self.stdout.write(f"  {row['email']:<40} {roles}")
            if row["totp"]:
                self.stdout.write(f"      TOTP: {row['totp']}")
        self.stdout.write("  Privileged pages (/manage/, /admin/) ask for the TOTP code: add the URI to an")
        self.stdout.write("  authenticator app, or print a code with: python manage.py totp_code EMAIL")
        self.stdout.write("")
