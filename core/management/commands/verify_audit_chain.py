from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.audit import audit_check_heads, audit_verify_chain, parse_heads


class Command(BaseCommand):
    help = (
        "Verify the audit chain. Exits non-zero naming the first bad entry. With --heads FILE "
        "(a saved copy of the published-heads feed, the API's JSON, or 'seq hash' lines), also "
        "checks that the chain still contains every head published before, which a truncation "
        "with a rewound head cannot fake."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--heads", metavar="FILE", help="published heads kept outside Charter")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken: {report.problem} (first bad entry #{report.first_bad_seq})."
            )
        if options.get("heads"):
            try:
                text = Path(options["heads"]).read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot read {options['heads']}: {exc.strerror}.") from exc
            heads = audit_check_heads(parse_heads(text))
            if not heads.ok:
                raise CommandError(f"Audit chain broken: {heads.problem}.")
            self.stdout.write(f"All {heads.checked} published heads are in the chain.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries."))
