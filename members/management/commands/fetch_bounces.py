"""Read the bounce mailbox and mark bounced emails (``BOUNCE_MAILBOX_URL``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from members.services.bounces import bounces_fetch_mailbox


class Command(BaseCommand):
    help = "Process the bounce mailbox: mark bounced emails, then remove the processed messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default=None,
            help="imap://user:pass@host:port/INBOX, imaps://... or maildir:///path "
            "(default: settings.BOUNCE_MAILBOX_URL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"] if options["url"] is not None else getattr(settings, "BOUNCE_MAILBOX_URL", "")
        if not url:
            raise CommandError("No bounce mailbox configured (set BOUNCE_MAILBOX_URL or pass --url).")
        try:
            marked = bounces_fetch_mailbox(url=url)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{marked} email(s) marked bounced.")
