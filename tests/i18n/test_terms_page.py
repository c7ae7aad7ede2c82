"""The page of the glossary's terms in every course language is made from the PO files: a
translated term shows, an untranslated or fuzzy one shows a dash, and every glossary entry has a row."""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.catalog import Catalog

from smartseoul.book import terms
from smartseoul.i18n import catalogs

ROOT = Path(__file__).resolve().parents[2]

GLOSSARY = """# Glossary

:::{glossary}
Autonomous district
자치구
gu
  One of the 25 districts.

Living population
생활인구
  People present in an area.

S-DoT
  The sensor network.
:::
"""


def _root(tmp_path: Path) -> Path:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "glossary.md").write_text(GLOSSARY, encoding="utf-8")
    shutil.copytree(ROOT / "locales", tmp_path / "locales", ignore=shutil.ignore_patterns("*.po"))
    catalog = Catalog(locale="ru")
    catalog.add("Autonomous district", "Автономный район")
    catalog.add("Living population", "«Живое» население", flags=["fuzzy"])
    catalogs.write(tmp_path / "locales" / "ru" / "LC_MESSAGES" / "book" / "glossary.po", catalog)
    return tmp_path


def test_a_translated_term_shows_and_a_fuzzy_or_missing_one_is_a_dash(tmp_path):
    page = terms.page(_root(tmp_path))
    rows = {line.split(" | ")[0].strip("| "): line for line in page.splitlines() if line.startswith("| ")}
    assert set(rows) == {"English", "Autonomous district", "Living population", "S-DoT"}
    header = [c.strip() for c in rows["English"].strip("|").split("|")]
    russian = header.index("Русский")
    district = [c.strip() for c in rows["Autonomous district"].strip("|").split("|")]
    living = [c.strip() for c in rows["Living population"].strip("|").split("|")]
    assert district[1] == "자치구" and district[russian] == "Автономный район"
    assert living[russian] == "—"  # fuzzy: the English changed since it was translated
    assert rows["S-DoT"].count("—") == len(header) - 1  # no Korean line, no translation


def test_every_entry_of_the_course_glossary_has_a_row():
    entries = terms.glossary_terms(ROOT / "book" / "glossary.md")
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    assert len(entries) == text.split(":::{glossary}")[1].count("\n\n") + 1
    assert {"Autonomous district", "Living population", "Owl Bus"} <= {t.english for t in entries}
