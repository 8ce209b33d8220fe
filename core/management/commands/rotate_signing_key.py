"""Rotate the key that signs voting-rights statements.

Without an environment key: a new key is generated in the database and the old one is
retired (its public half stays in /.well-known/jwks.json until its statements expire).
With SIGNING_KEY_PEM / SIGNING_KEY_PEM_FILE: ``--write-pem PATH`` writes a new private
key for the operator to install; the old public key stays published automatically once
the new one signs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from core.jws import configured_key_pem, generate_private_key, key_id, private_key_pem
from core.services.api_tokens import signing_key_rotate


class Command(BaseCommand):
    help = "Rotate the Ed25519 key that signs statements; retired public keys stay published."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--write-pem",
            metavar="PATH",
            help="Write a new private key (PEM, mode 0600) for SIGNING_KEY_PEM_FILE instead.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options.get("write_pem")
        if path:
            target = Path(path)
            if target.exists():
                raise CommandError(f"{target} exists; choose a new file.")
            key = generate_private_key()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(private_key_pem(key))
            self.stdout.write(
                f"Wrote {target} (kid {key_id(key.public_key())}). Point SIGNING_KEY_PEM_FILE at it and restart."
            )
            return
        if configured_key_pem():
            raise CommandError(
                "The signing key comes from the environment. Run with --write-pem PATH and install the new file."
            )
        try:
            row = signing_key_rotate(actor=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"New signing key {row.kid}; the previous key is retired but still published.")
