"""Recount a ballot file, or verify and recount a count package.

``manage.py count_ballots FILE --method meek --seats 3``: FILE is a BLT file or a Debian
tally sheet (detected from its content). The output is the count report as JSON
(``method``, ``seats``, ``elected`` as the names are written in the file, ``rounds``,
``ties``, ...) or as readable text. The anti-capture rule: ``--groups FILE`` (a JSON object
from candidate name to group), ``--max-per-group N`` and ``--sitting GROUP=N`` (directors of
that group who stay on). A malformed file stops the command with a non-zero exit status,
naming the line and what is wrong with it.

``manage.py count_ballots --package NAME.zip [--jwks jwks.json]``: checks the package's
signature (against the key inside it, or the given key set) and every file's SHA-256,
recounts ``ballots.blt`` with exactly the method and options of ``count.json``, and says
whether the result equals the recorded one; the exit status is non-zero when anything fails.
The checking code is ``elections.counting.package`` (no Django), which a standalone counter
can call as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from elections.counting import METHODS, BallotFormatError, CountError, count, detect_and_parse, format_text
from elections.counting.package import check_package


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _json_file(value: str, what: str) -> Any:
    try:
        return json.loads(_read(Path(value)))
    except json.JSONDecodeError as exc:
        raise CommandError(f"{value}: {what} is not valid JSON ({exc.msg}, line {exc.lineno})") from None


class Command(BaseCommand):
    help = (
        "Count a BLT file or a Debian tally sheet with one of Charter's counting methods, or "
        "verify and recount a count package (--package)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="A BLT file or a Debian tally sheet.")
        parser.add_argument("--package", metavar="ZIP", help="A count package to verify and recount.")
        parser.add_argument(
            "--jwks", metavar="FILE", help="With --package: check the signature against this key set."
        )
        parser.add_argument("--method", choices=METHODS)
        parser.add_argument(
            "--seats", type=int, default=None, help="Seats to fill (default: the file's own number)."
        )
        parser.add_argument("--tie-seed", default=None, help="The published tie-break seed.")
        parser.add_argument(
            "--withdrawn", action="append", default=[], metavar="NAME", help="A withdrawn candidate."
        )
        parser.add_argument(
            "--groups", metavar="FILE", help='Anti-capture rule: JSON {"candidate name": "group", ...}.'
        )
        parser.add_argument("--max-per-group", type=int, default=None, help="Directors allowed per group.")
        parser.add_argument(
            "--sitting",
            action="append",
            default=[],
            metavar="GROUP=N",
            help="Sitting directors of GROUP who stay on (repeat for each group).",
        )
        parser.add_argument("--format", choices=("json", "text"), default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["package"]:
            if options["file"] or options["method"]:
                raise CommandError("--package takes no ballot file or method: the package records them.")
            self._package(options)
            return
        if not options["file"] or not options["method"]:
            raise CommandError("Give a ballot file and --method (or --package ZIP).")
        path = Path(options["file"])
        try:
            election = detect_and_parse(_read(path))
        except BallotFormatError as exc:
            raise CommandError(f"{path}:{exc.line_number}: {exc.message}") from None
        seats = options["seats"]
        if seats is not None and seats < 1:
            raise CommandError("--seats must be at least 1")
        groups = _json_file(options["groups"], "the group map") if options["groups"] else None
        if groups is not None and not (
            isinstance(groups, dict) and all(isinstance(v, str) for v in groups.values())
        ):
            raise CommandError('--groups must be a JSON object {"candidate name": "group", ...}')
        sitting: dict[str, int] = {}
        for item in options["sitting"]:
            group, _, number = item.rpartition("=")
            if not group or not number.isdigit():
                raise CommandError(f"--sitting {item!r}: write GROUP=N")
            sitting[group] = int(number)
        try:
            result = count(
                election,
                options["method"],
                seats,
                options["tie_seed"],
                withdrawn=options["withdrawn"],
                groups=groups,
                max_per_group=options["max_per_group"],
                sitting=sitting or None,
            )
        except CountError as exc:
            raise CommandError(f"{path}: {exc}") from None
        if options["format"] == "text":
            self.stdout.write(format_text(result))
            return
        self.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))

    def _package(self, options: dict[str, Any]) -> None:
        path = Path(options["package"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
        jwks = _json_file(options["jwks"], "the key set") if options["jwks"] else None
        check = check_package(data, jwks=jwks)
        if options["format"] == "json":
            self.stdout.write(json.dumps(check.as_dict(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write("\n".join(check.lines))
        if not check.ok:
            raise CommandError(f"{path}: the package does not reproduce its recorded result.")
