from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into an EMPTY PostgreSQL database "
        "(DATABASE_URL, or --database-url) and its uploads into MEDIA_ROOT. Checks every "
        "checksum first and refuses a database that holds any table. Then run `migrate` (if "
        "the code is newer than the backup) and `verify_audit_chain`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="charter-backup-….tar or ….tar.enc")
        parser.add_argument("--database-url", help="restore into this database instead of DATABASE_URL")
        parser.add_argument("--media-root", help="restore uploads here instead of MEDIA_ROOT")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["database_url"]:
            db = environ.Env.db_url_config(options["database_url"])
        else:
            db = connections["default"].settings_dict
            connections["default"].close()
        media_root = Path(options["media_root"] or settings.MEDIA_ROOT)
        try:
            result = backup_restore(
                path=Path(options["file"]), db=db, media_root=media_root, key=settings.BACKUP_KEY
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {result.created_at} into database {db['NAME']!r} "
                f"and {result.media_files} uploaded files into {media_root}."
            )
        )
        self.stdout.write("Next: manage.py migrate (if this code is newer), manage.py verify_audit_chain.")
