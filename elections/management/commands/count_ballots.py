"""Recount a ballot file: ``manage.py count_ballots FILE --method meek --seats 3``.

FILE is a BLT file or a Debian tally sheet (detected from its content). The output is the
count report as JSON (``method``, ``seats``, ``elected`` as the names are written in the
file, ``rounds``, ``ties``, ...) or as readable text. A malformed file stops the command
with a non-zero exit status, naming the line and what is wrong with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from elections.counting import METHODS, BallotFormatError, CountError, count, detect_and_parse, format_text


class Command(BaseCommand):
    help = "Count a BLT file or a Debian tally sheet with one of Charter's counting methods."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A BLT file or a Debian tally sheet.")
        parser.add_argument("--method", required=True, choices=METHODS)
        parser.add_argument(
            "--seats", type=int, default=None, help="Seats to fill (default: the file's own number)."
        )
        parser.add_argument("--tie-seed", default=None, help="The published tie-break seed.")
        parser.add_argument("--format", choices=("json", "text"), default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        try:
            election = detect_and_parse(text)
        except BallotFormatError as exc:
            raise CommandError(f"{path}:{exc.line_number}: {exc.message}") from None
        seats = options["seats"]
        if seats is not None and seats < 1:
            raise CommandError("--seats must be at least 1")
        try:
            result = count(election, options["method"], seats, options["tie_seed"])
        except CountError as exc:
            raise CommandError(f"{path}: {exc}") from None
        if options["format"] == "text":
            self.stdout.write(format_text(result))
            return
        self.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
