"""The offered languages are complete, their compiled catalogues match their sources, and a
member reading in Spanish or Japanese sees Spanish or Japanese, with dates in their language and
ISO dates in the API."""

from __future__ import annotations

import io
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from core.management.commands.catalogues import catalogue_paths, problems, translated_languages

pytestmark = pytest.mark.django_db


def test_only_complete_languages_are_offered():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "es", "ja"]
    for code in translated_languages():
        assert problems(code) == [], problems(code)[:5]
    out = io.StringIO()
    call_command("catalogues", "check", stdout=out)
    assert "complete and compiled: es, ja" in out.getvalue()


def test_the_check_fails_on_an_untranslated_entry_and_a_stale_compiled_catalogue(tmp_path, settings):
    """The check can fail: a copy of the Spanish catalogue with one entry emptied, then with its
    .mo left behind after a translation changed."""
    from babel.messages.pofile import read_po, write_po

    source_po, source_mo = catalogue_paths("es")
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(source_mo, folder / "django.mo")
    with source_po.open("rb") as handle:
        catalogue = read_po(handle, locale="es")
    victim = next(m for m in catalogue if m.id and isinstance(m.id, str) and m.string)
    original = victim.string
    settings.LOCALE_PATHS = [tmp_path]

    victim.string = ""
    with (folder / "django.po").open("wb") as handle:
        write_po(handle, catalogue)
    assert any("untranslated" in p for p in problems("es"))

    victim.string = original + " (changed)"
    with (folder / "django.po").open("wb") as handle:
        write_po(handle, catalogue)
    assert any("differs" in p for p in problems("es"))
    with pytest.raises(CommandError):
        call_command("catalogues", "check", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("code", ["es", "ja"])
def test_a_page_in_the_chosen_language_says_so_and_is_translated(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    html = client.get("/governance/").content.decode()
    assert f'<html lang="{code}"' in html
    english = ("Skip to main content", "The board through time", "Transparency")
    with translation.override(code):
        translated = [translation.gettext(text) for text in english]
    for source, text in zip(english, translated, strict=True):
        assert text != source
        assert text in html
        assert source not in html
