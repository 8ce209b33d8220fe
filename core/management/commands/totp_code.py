"""Print the current TOTP code of a demo user (development only)."""

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.models import User


class Command(BaseCommand):
    help = "Print the current TOTP code for a demo login (refuses outside DEBUG)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("totp_code is a development helper; it refuses to run without DEBUG.")
        user = User.objects.filter(email=options["email"].lower()).first()
        auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first() if user else None
        if auth is None:
            raise CommandError("No TOTP authenticator for that email.")
        secret = decrypt(auth.data["secret"])
        counter = next(iter(yield_hotp_counters_from_time()))
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
