"""When the English changes, the PO workflow says what is stale: `smartseoul i18n update` keeps a
changed message's old translation as fuzzy with the English it was made from, new messages come
in untranslated, removed ones go obsolete, and the stale report and the gates show all three."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from smartseoul.i18n import catalogs, extract

ROOT = Path(__file__).resolve().parents[2]
OLD = "Run every cell from top to bottom, then change things: each notebook has *Try it* prompts."
NEW = (
    "Run every cell from top to bottom, then change things: each notebook has *Try it* boxes to work through."
)
GONE = "Build indicators and dashboards, respect privacy, and forecast."
ADDED = "Ask your instructor when something does not run."


def _course_with_changed_english(tmp_path: Path) -> Path:
    """A course whose Russian welcome page was translated from the English of today, and whose
    English has since changed: one paragraph edited, one removed, one added."""
    from babel.messages.catalog import Catalog

    course = tmp_path / "course"
    shutil.copytree(ROOT / "locales", course / "locales")
    po = catalogs.read(ROOT / "locales" / "ru" / "LC_MESSAGES" / "book" / "intro.po")
    pot = Catalog()
    for m in po:
        if not m.id or m.id == GONE:
            continue
        pot.add(NEW if m.id == OLD else m.id, locations=[("../../book/intro.md", 1)])
    pot.add(ADDED, locations=[("../../book/intro.md", 60)])
    catalogs.write(catalogs.pot_dir(course) / "book" / "intro.pot", pot)
    return course


def test_update_marks_the_changed_english_and_the_report_lists_it(tmp_path, table):
    course = _course_with_changed_english(tmp_path)
    assert [s for s in catalogs.stale(course, table, "ru") if s.catalog == "book/intro"] == [
        catalogs.Stale("ru", "book/intro", "new", NEW),
        catalogs.Stale("ru", "book/intro", "new", ADDED),
    ], "before update: the two messages the PO file does not hold yet"

    result = extract.update(course, table, ["ru"])
    po_file = catalogs.po_path(course, "ru", "book/intro")
    assert result.updated == [po_file]
    report = {(s.kind, s.msgid): s for s in catalogs.stale(course, table, "ru")}
    changed = report[("changed", NEW)]
    assert changed.previous == OLD, "the report shows the English the translation was made from"
    assert changed.msgstr.startswith("Выполните все ячейки"), "the old translation is kept to revise"
    assert ("obsolete", GONE) in report
    text = po_file.read_text(encoding="utf-8")
    assert f'#| msgid "{OLD[:40]}' in text.replace('"\n#| "', ""), (
        "the PO file keeps the old English (#| msgid)"
    )

    # the welcome page is marked done for ru: the gate now fails, and says why
    lang = dataclasses.replace(table.get("ru"), done=("welcome",))
    failures = "\n".join(catalogs.done_failures(course, table, lang, pots=catalogs.templates(course)))
    assert "1 fuzzy message(s)" in failures and "untranslated: book/intro: 'Ask your instructor" in failures
    assert f"(was: {OLD[:80]!r})" in failures


def test_a_second_update_changes_nothing_and_a_later_one_keeps_the_old_english(tmp_path, table):
    course = _course_with_changed_english(tmp_path)
    extract.update(course, table, ["ru"])
    again = extract.update(course, table, ["ru"])
    assert again.updated == [] and again.created == []
    # the English changes again elsewhere on the page: the first change is still reported as it was
    pot_file = catalogs.pot_dir(course) / "book" / "intro.pot"
    pot = catalogs.read(pot_file)
    pot.add("One more paragraph.", locations=[("../../book/intro.md", 70)])
    catalogs.write(pot_file, pot)
    assert extract.update(course, table, ["ru"]).updated
    report = {(s.kind, s.msgid): s for s in catalogs.stale(course, table, "ru")}
    assert report[("changed", NEW)].previous == OLD


def test_the_stale_command_prints_the_report(tmp_path, table, monkeypatch):
    from typer.testing import CliRunner

    from smartseoul.cli import app

    course = _course_with_changed_english(tmp_path)
    (course / "datasets").mkdir()
    (course / "datasets" / "datapackage.json").write_text("{}")
    monkeypatch.setenv("SMARTSEOUL_HOME", str(course))
    runner = CliRunner()
    assert runner.invoke(app, ["i18n", "update", "--lang", "ru"]).exit_code == 0
    result = runner.invoke(app, ["i18n", "stale", "--lang", "ru"])
    assert result.exit_code == 0, result.output
    assert "[ru] book/intro: changed" in result.output
    assert f"was:  {OLD}" in result.output and f"now:  {NEW}" in result.output
    assert "[ru] book/intro: obsolete" in result.output
