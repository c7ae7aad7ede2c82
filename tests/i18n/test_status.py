"""Each translated book says on its welcome page whether a native-speaking subject expert has
reviewed it; until then "draft translation, corrections welcome", with how to send a correction."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils import nodes

from smartseoul.book import translations
from smartseoul.i18n import catalogs, languages, messages, structure

ROOT = Path(__file__).resolve().parents[2]
TABLE = languages.load(ROOT)


def _app(code: str, table=None):
    app = SimpleNamespace(
        config=SimpleNamespace(
            language=code,
            html_theme_options={
                "repository_url": "https://github.com/smart-seoul-data-lab/smart-seoul-data-lab"
            },
            root_doc="book/intro",
        ),
        srcdir=str(ROOT),
    )
    if table is not None:
        app._smartseoul_languages = table
    return app


def notice_problems(code: str, locales: Path = ROOT / "locales") -> list[str]:
    """What is missing for a language's welcome notice to be in that language."""
    po_file = locales / code / "LC_MESSAGES" / "smartseoul.po"
    if not po_file.exists():
        return [f"{code}: no {po_file.relative_to(locales)}"]
    po = {str(m.id): m for m in catalogs.read(po_file) if m.id}
    out = []
    for msgid in (translations.DRAFT_TITLE, translations.DRAFT_TEXT, translations.REVIEWED_TEXT):
        m = po.get(msgid)
        if m is None or not m.string or m.fuzzy:
            out.append(f"{code}: no translation of {msgid[:50]!r}")
        elif structure.problems(msgid, str(m.string), python=True):
            out.append(f"{code}: the translation of {msgid[:50]!r} breaks it")
    return out


@pytest.mark.parametrize("code", TABLE.codes)
def test_each_language_can_say_draft_translation_in_its_own_words(code):
    assert notice_problems(code) == []


@pytest.mark.parametrize("code", TABLE.codes)
def test_the_welcome_page_of_an_unreviewed_translation_says_draft(code):
    lang = TABLE.get(code)
    assert not lang.reviewed, f"{code} is marked reviewed: check its notice by hand"
    notice = translations.status_notice(_app(code), "book/intro")
    assert notice is not None
    title = notice.next_node(nodes.title).astext()
    assert title == messages.gettext_in(code, translations.DRAFT_TITLE) != translations.DRAFT_TITLE
    text = notice.astext()
    assert "https://github.com/smart-seoul-data-lab/smart-seoul-data-lab/issues" in text
    assert f"locales/{code}/LC_MESSAGES/book/intro.po" in text
    link = notice.next_node(nodes.reference)
    assert link["refuri"].endswith("/issues")


def test_a_reviewed_translation_names_its_reviewer_and_drops_draft():
    table = dataclasses.replace(
        TABLE,
        languages=tuple(
            dataclasses.replace(lang, reviewed_by="Dr A. Example, 2026-05") if lang.code == "ru" else lang
            for lang in TABLE.languages
        ),
    )
    notice = translations.status_notice(_app("ru", table), "book/intro")
    text = notice.astext()
    assert "Dr A. Example, 2026-05" in text
    assert messages.gettext_in("ru", translations.DRAFT_TITLE) not in text


def test_english_has_no_notice():
    assert translations.status_notice(_app("en"), "book/intro") is None


def test_a_language_without_the_notice_translated_is_found(tmp_path):
    """Planted: a language whose catalogue lost the draft notice fails the check."""
    import shutil

    from babel.messages.pofile import read_po, write_po

    shutil.copytree(ROOT / "locales" / "ar", tmp_path / "ar")
    po_file = tmp_path / "ar" / "LC_MESSAGES" / "smartseoul.po"
    with po_file.open("rb") as f:
        po = read_po(f)
    po[translations.DRAFT_TITLE].string = ""
    with po_file.open("wb") as f:
        write_po(f, po)
    assert notice_problems("ar", tmp_path) == [
        "ar: no translation of 'Draft translation, corrections welcome'"
    ]
