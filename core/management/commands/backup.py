from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from core import clock
from core.backups import BackupError, backup_create, backup_prune, new_key


class Command(BaseCommand):
    help = (
        "Write one dated archive: a consistent pg_dump of the database, the uploaded files "
        "(MEDIA_ROOT) and a manifest of SHA-256 checksums, encrypted when BACKUP_KEY is set "
        "(core/backups.py describes the format). Restore with `manage.py restore FILE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output-dir", help="where the archive goes (default: BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=0, help="then delete all but the newest N archives")
        parser.add_argument("--new-key", action="store_true", help="print a new BACKUP_KEY and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(new_key())
            return
        output_dir = Path(options["output_dir"] or settings.BACKUP_DIR)
        s3 = bool(getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""))
        if s3:
            self.stderr.write(
                "Uploads are in S3-compatible storage: not in this archive (version the bucket)."
            )
        if not settings.BACKUP_KEY:
            self.stderr.write("BACKUP_KEY is not set: the archive is NOT encrypted.")
        try:
            result = backup_create(
                db=connections["default"].settings_dict,
                media_root=None if s3 else Path(settings.MEDIA_ROOT),
                output_dir=output_dir,
                key=settings.BACKUP_KEY,
                now=clock.now(),
            )
            pruned = backup_prune(output_dir=output_dir, keep=options["keep"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for path in pruned:
            self.stdout.write(f"Deleted the older {path.name}.")
        state = "encrypted" if result.encrypted else "not encrypted"
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {result.path} ({result.files} files, {state}).")
        )
