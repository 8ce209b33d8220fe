"""The translation catalogues in ``locale/``: extract, compile, check.

``manage.py catalogues update`` extracts the strings of every offered language
(``makemessages``: this step needs GNU gettext, a translator's tool) and compiles them;
``compile`` writes each ``django.mo`` from its ``django.po`` with Babel (pure Python), so the
compiled catalogues are committed and a fresh machine needs no system gettext to run;
``check`` fails when a catalogue has an untranslated or fuzzy entry, or its ``.mo`` is not
what its ``.po`` compiles to. ``make messages`` runs ``update``; CI runs ``check`` and
``msgfmt --check --statistics``.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

#: Not the site's: the venv, tests and benchmarks, the demo's fixtures.
IGNORED = [".venv", "venv", "tests", "bench", "demo", "var", "node_modules", "docs"]


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue_paths(code: str) -> tuple[Path, Path]:
    folder = Path(settings.LOCALE_PATHS[0]) / code / "LC_MESSAGES"
    return folder / "django.po", folder / "django.mo"


def read_catalogue(po: Path) -> Any:
    with po.open("rb") as handle:
        return read_po(handle, locale=po.parent.parent.name)


def compiled(po: Path) -> bytes:
    """The ``.mo`` bytes Babel writes for ``po`` (fuzzy entries are left out, as msgfmt does)."""
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(po), use_fuzzy=False)
    return buffer.getvalue()


def _messages(mo: bytes) -> dict[Any, str]:
    """A compiled catalogue's translations, without its header (which carries dates)."""
    catalogue = gettext.GNUTranslations(io.BytesIO(mo))._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalogue.items() if key != ""}


def problems(code: str) -> list[str]:
    """What keeps ``code``'s catalogue from being complete and in sync (empty when it is)."""
    po, mo = catalogue_paths(code)
    if not po.exists():
        return [f"{code}: {po} is missing"]
    found = []
    catalogue = read_catalogue(po)
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        label = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        if message.fuzzy:
            found.append(f"{code}: fuzzy: {label[:60]!r}")
        elif not all(strings):
            found.append(f"{code}: untranslated: {label[:60]!r}")
    if not mo.exists():
        found.append(f"{code}: {mo} is missing: run `manage.py catalogues compile`")
    else:
        if _messages(compiled(po)) != _messages(mo.read_bytes()):
            found.append(f"{code}: {mo} differs from {po.name}: run `manage.py catalogues compile`")
    return found


class Command(BaseCommand):
    help = "Extract (update), compile or check the translation catalogues in locale/."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["update", "compile", "check"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        languages = translated_languages()
        if action == "update":
            call_command(
                "makemessages", locale=languages, ignore_patterns=IGNORED, no_obsolete=True, verbosity=0
            )
        if action in ("update", "compile"):
            for code in languages:
                po, mo = catalogue_paths(code)
                mo.write_bytes(compiled(po))
                self.stdout.write(f"{code}: compiled {mo}")
            return
        found = [problem for code in languages for problem in problems(code)]
        for problem in found[:50]:
            self.stderr.write(problem)
        if found:
            raise CommandError(f"{len(found)} problems in the catalogues of {', '.join(languages)}")
        self.stdout.write(f"Catalogues complete and compiled: {', '.join(languages)}")
