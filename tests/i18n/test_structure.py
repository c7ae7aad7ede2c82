"""Every translation keeps the structure of its English: inline code, link targets, MyST roles,
math, placeholders, numbers that name things and Korean names. Planted broken translations
(a dropped inline-code span, a changed link target ...) fail the check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smartseoul.i18n import structure

ROOT = Path(__file__).resolve().parents[2]

ENGLISH_CODE = (
    "At the end of each module, do its exercise (see {doc}`exercises`). The exercise pages in this book are the "
    "**student versions**: fill in the cells marked `# YOUR CODE HERE` and check your answers with the visible "
    "self-check tests. Your instructor grades the rest."
)
ENGLISH_LINK = (
    "Map Seoul's 25 autonomous districts (자치구; [seoul-gu-count](sources.md#seoul-gu-count)) and 426 "
    "administrative dongs (행정동; [seoul-dong-count](sources.md#seoul-dong-count))."
)


def _ru(msgid: str) -> str:
    from smartseoul.i18n.catalogs import read

    for m in read(ROOT / "locales" / "ru" / "LC_MESSAGES" / "book" / "intro.po"):
        if m.id == msgid:
            return str(m.string)
    raise AssertionError(f"not in ru/book/intro.po: {msgid[:60]}")


def test_every_committed_translation_keeps_its_structure():
    broken = structure.check(ROOT / "locales")
    assert not broken, "\n".join(map(str, broken))


def test_the_real_translations_pass():
    assert structure.problems(ENGLISH_CODE, _ru(ENGLISH_CODE)) == []
    assert structure.problems(ENGLISH_LINK, _ru(ENGLISH_LINK)) == []


@pytest.mark.parametrize(
    "english,broken,expected",
    [
        # a dropped inline-code span: the trainee would look for a cell marker that is not there
        (
            ENGLISH_CODE,
            lambda t: t.replace("`# YOUR CODE HERE`", "# ВАШ КОД"),
            "inline code missing or changed: # YOUR CODE HERE",
        ),
        # inline code translated
        ("Use `len(df)` to count.", lambda t: "Используйте `длина(df)`.", "inline code"),
        # a changed link target
        (
            ENGLISH_LINK,
            lambda t: t.replace("sources.md#seoul-gu-count", "sources.md#seoul-gu"),
            "link target missing or changed: sources.md#seoul-gu-count",
        ),
        # a role whose target was translated
        (
            "Start with {doc}`syllabus`.",
            lambda t: "Начните с {doc}`программа`.",
            "role missing or changed: {doc}syllabus",
        ),
        # math changed
        ("The rate is $r = n / p$ per person.", lambda t: "Доля $r = n$ на человека.", "math"),
        # a number that names a thing dropped (module 0)
        (
            "module 0 begins with what a notebook is",
            lambda t: "первый модуль начинается с блокнота",
            "number missing or changed: 0",
        ),
        # a Korean name dropped
        (ENGLISH_LINK, lambda t: t.replace("자치구; ", ""), "Korean missing or changed: 자치구"),
        # a footnote reference dropped
        ("About 24 km² per district[^area].", lambda t: "Около 24 км² на район.", "footnote"),
    ],
    ids=[
        "dropped-inline-code",
        "translated-code",
        "changed-link-target",
        "role-target",
        "math",
        "module-number",
        "korean",
        "footnote",
    ],
)
def test_a_planted_broken_translation_fails(english, broken, expected):
    good = _ru(english) if english in (ENGLISH_CODE, ENGLISH_LINK) else None
    translation = broken(good or english)
    found = structure.problems(english, translation)
    assert any(expected in p for p in found), f"{expected!r} not among {found}"


def test_placeholders_of_python_messages():
    english = "`{name}` has {rows:,} rows: that is too many."
    assert structure.problems(english, "В `{name}` строк: {rows:,}. Это слишком много.", python=True) == []
    assert any(
        "placeholder" in p for p in structure.problems(english, "В `{name}` много строк.", python=True)
    )
    assert any(
        "placeholder" in p for p in structure.problems(english, "В `{name}` строк: {rows}.", python=True)
    )
    assert any("placeholder" in p for p in structure.problems("%s of %d", "%s", python=True))


def test_numbers_may_take_the_languages_separators():
    english = "Seoul's 9.6 million residents and 2,000 bikes in 2015"
    assert structure.problems(english, "9,6 млн жителей Сеула и 2 000 велосипедов в 2015 году") == []
    assert structure.problems(english, "٩٫٦ مليون نسمة و٢٠٠٠ دراجة في ٢٠١٥") == []


def test_the_check_command_fails_on_a_planted_po_file(tmp_path, monkeypatch):
    """`smartseoul i18n check` on a course whose Russian welcome page lost an inline-code span
    and had a link target changed: exit 1, both named."""
    from babel.messages.pofile import read_po, write_po
    from typer.testing import CliRunner

    from smartseoul.cli import app

    course = tmp_path / "course"
    (course / "datasets").mkdir(parents=True)
    (course / "datasets" / "datapackage.json").write_text("{}")
    shutil.copytree(ROOT / "locales", course / "locales")
    po_file = course / "locales" / "ru" / "LC_MESSAGES" / "book" / "intro.po"
    with po_file.open("rb") as f:
        po = read_po(f)
    po[ENGLISH_CODE].string = str(po[ENGLISH_CODE].string).replace("`# YOUR CODE HERE`", "«ВАШ КОД»")
    po[ENGLISH_LINK].string = str(po[ENGLISH_LINK].string).replace("#seoul-gu-count", "#gu")
    with po_file.open("wb") as f:
        write_po(f, po)
    monkeypatch.setenv("SMARTSEOUL_HOME", str(course))
    result = CliRunner().invoke(app, ["i18n", "check", "--lang", "ru"])
    assert result.exit_code == 1, result.output
    assert "inline code missing or changed: # YOUR CODE HERE" in result.output
    assert "link target missing or changed: sources.md#seoul-gu-count" in result.output
    assert "2 translation(s) break the structure" in result.output
