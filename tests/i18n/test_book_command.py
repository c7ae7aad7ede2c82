"""`make book` builds English; `make book LANGS=all` (or LANGS=ru,ar) every translation too,
through `smartseoul book build --langs`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from smartseoul.cli import app
from smartseoul.i18n.book import resolve_languages

ROOT = Path(__file__).resolve().parents[2]


def test_make_book_passes_langs_to_the_command():
    def dry_run(*args: str) -> str:
        done = subprocess.run(
            ["make", "-n", "--always-make", "book", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    assert 'smartseoul book build --langs ""' in dry_run()
    assert 'smartseoul book build --langs "all"' in dry_run("LANGS=all")
    assert 'smartseoul book build --langs "ru,ar"' in dry_run("LANGS=ru,ar")


def test_languages_by_name():
    assert resolve_languages("") == []
    assert resolve_languages("all") == ["ru", "es", "pt_BR", "ar", "id", "th"]
    assert resolve_languages("ar, ru") == ["ar", "ru"]
    assert resolve_languages("en,ru") == ["ru"], "English is always built, and first"


def test_an_unknown_language_stops_before_building():
    result = CliRunner().invoke(app, ["book", "build", "--langs", "ru,xx"])
    assert result.exit_code == 2
    assert "'xx' is not a course language" in result.output
