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

Everything (options, output, errors) is ``elections.counting.cli``, which also runs without
Django as ``python -m elections.counting``; this command only puts Django's front on it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from elections.counting.cli import DESCRIPTION, UsageError, add_arguments, run


class Command(BaseCommand):
    help = DESCRIPTION

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run(options, self.stdout)
        except UsageError as exc:
            raise CommandError(str(exc)) from None
