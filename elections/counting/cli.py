"""The counting tool's command line, with or without Django.

``python -m elections.counting FILE --method meek --seats 3`` counts a BLT file or a Debian
tally sheet (detected from its content) and prints the count as JSON (``method``, ``seats``,
``elected`` as the names are written in the file, ``rounds``, ``ties``, ...) or, with
``--format text``, as a readable report. The anti-capture rule: ``--groups FILE`` (a JSON
object from candidate name to group), ``--max-per-group N`` and ``--sitting GROUP=N``
(directors of that group who stay on). A malformed file stops with exit status 1, naming the
line and what is wrong with it.

``python -m elections.counting --package NAME.zip [--jwks jwks.json]`` checks a count
package's signature (against the key inside it, or the given key set) and every file's
SHA-256, recounts ``ballots.blt`` with exactly the method and options of ``count.json``, and
says whether the result equals the recorded one; exit status 1 when anything fails.

``manage.py count_ballots`` is this same code behind Django's command (same options, same
output, same exit statuses). This path imports nothing of Django: a recount starts in a few
hundredths of a second instead of the framework's start-up.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from . import METHODS, BallotFormatError, CountError, count, format_text
from .parse import detect_and_parse

DESCRIPTION = (
    "Count a BLT file or a Debian tally sheet with one of Charter's counting methods, or "
    "verify and recount a count package (--package)."
)


class UsageError(Exception):
    """What the user asked cannot be done (unreadable file, malformed ballots, bad options,
    a package that does not reproduce): the message is printed, the exit status is 1."""


class _Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options, shared by ``python -m elections.counting`` and ``count_ballots``."""
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


def run(options: Mapping[str, Any], stdout: _Writer) -> None:
    """Do what ``options`` (the parsed arguments, as a mapping) ask; write to ``stdout``.
    Raises ``UsageError`` for anything the user must fix (after writing a failed package
    check's report)."""
    if options["package"]:
        if options["file"] or options["method"]:
            raise UsageError("--package takes no ballot file or method: the package records them.")
        _package(options, stdout)
        return
    if not options["file"] or not options["method"]:
        raise UsageError("Give a ballot file and --method (or --package ZIP).")
    path = Path(options["file"])
    try:
        # Identical ballots are merged while reading: the same count, many times faster.
        election = detect_and_parse(_read(path), group=True)
    except BallotFormatError as exc:
        raise UsageError(f"{path}:{exc.line_number}: {exc.message}") from None
    seats = options["seats"]
    if seats is not None and seats < 1:
        raise UsageError("--seats must be at least 1")
    groups = _json_file(options["groups"], "the group map") if options["groups"] else None
    if groups is not None and not (
        isinstance(groups, dict) and all(isinstance(v, str) for v in groups.values())
    ):
        raise UsageError('--groups must be a JSON object {"candidate name": "group", ...}')
    sitting: dict[str, int] = {}
    for item in options["sitting"]:
        group, _, number = item.rpartition("=")
        if not group or not number.isdigit():
            raise UsageError(f"--sitting {item!r}: write GROUP=N")
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
        raise UsageError(f"{path}: {exc}") from None
    if options["format"] == "text":
        _emit(stdout, format_text(result))
        return
    _emit(stdout, json.dumps(result.to_dict(), indent=2, ensure_ascii=False))


def _package(options: Mapping[str, Any], stdout: _Writer) -> None:
    # Imported here: package checking needs PyJWT and cryptography, which a plain count
    # does not (and they take a while to import).
    from .package import check_package

    path = Path(options["package"])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    jwks = _json_file(options["jwks"], "the key set") if options["jwks"] else None
    check = check_package(data, jwks=jwks)
    if options["format"] == "json":
        _emit(stdout, json.dumps(check.as_dict(), indent=2, ensure_ascii=False))
    else:
        _emit(stdout, "\n".join(check.lines))
    if not check.ok:
        raise UsageError(f"{path}: the package does not reproduce its recorded result.")


def _emit(stdout: _Writer, text: str) -> None:
    """Write ``text`` ending with one line break (as Django's command output does)."""
    stdout.write(text if text.endswith("\n") else text + "\n")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _json_file(value: str, what: str) -> Any:
    try:
        return json.loads(_read(Path(value)))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{value}: {what} is not valid JSON ({exc.msg}, line {exc.lineno})") from None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m elections.counting``: the exit status (0, or 1 with the reason on stderr;
    2 for options argparse refuses)."""
    parser = argparse.ArgumentParser(prog="python -m elections.counting", description=DESCRIPTION)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        run(options, sys.stdout)
    except UsageError as exc:
        sys.stdout.flush()
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    return 0
