"""The words of the exercises' self-check cells (hints, rules, misconception messages) are in the
course's catalogue, and a failing check shows them in the trainee's language."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from smartseoul import checks
from smartseoul.i18n import catalogs, exercise_hints, messages

ROOT = Path(__file__).resolve().parents[2]

CELL = textwrap.dedent(
    """
    checks.check_frame(t, n_rows=5, name="t", hint="Drop the repeated row.",
                       misconceptions={"The repeated row is still there.": 6})
    checks.require(ok, "A district has 0 residents: drop that row.")
    checks.check_between(x, 0, 1, too_high="A share is at most 1.")
    print("not a message")
    ### BEGIN HIDDEN TESTS
    checks.require(secret, "A hidden rule the catalogue must not show.")
    ### END HIDDEN TESTS
    """
)


def test_a_cell_gives_its_hints_rules_and_misconceptions_but_no_hidden_test():
    found = [text for _line, text in exercise_hints.messages_of_cell(CELL)]
    assert sorted(found) == sorted(
        [
            "Drop the repeated row.",
            "The repeated row is still there.",
            "A district has 0 residents: drop that row.",
            "A share is at most 1.",
        ]
    )


def test_a_cell_that_is_not_python_gives_nothing():
    assert list(exercise_hints.messages_of_cell("checks.require(ok, 'x'\n# YOUR CODE HERE")) == []


def test_every_exercise_has_messages_in_the_catalogue(python_pots):
    pot = catalogs.read(python_pots["smartseoul"])
    per_notebook: dict[str, int] = {}
    for message in pot:
        for location, _cell in message.locations:
            if str(location).startswith("exercises/"):
                per_notebook[str(location)] = per_notebook.get(str(location), 0) + 1
    notebooks = {p.relative_to(ROOT).as_posix() for p in exercise_hints.notebooks(ROOT)}
    assert notebooks and set(per_notebook) == notebooks
    assert all(n >= 5 for n in per_notebook.values()), per_notebook
    hidden = [m.id for m in pot if "BEGIN HIDDEN" in str(m.id)]
    assert hidden == []


@pytest.fixture()
def russian_hint(tmp_path, monkeypatch):
    """A locales/ folder whose Russian catalogue translates one hint and one misconception."""
    catalog = Catalog(locale="ru")
    catalog.add("Drop the repeated row.", "Удалите повторяющуюся строку.")
    catalog.add("The repeated row is still there.", "Повторяющаяся строка всё ещё на месте.")
    catalogs.write(tmp_path / "ru" / "LC_MESSAGES" / "smartseoul.po", catalog)
    monkeypatch.setattr(messages, "locales_dir", lambda: tmp_path)
    for var in messages.LOCALE_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(messages, "_file_setting", lambda: "")
    monkeypatch.setenv(messages.ENV, "ru")
    messages._cache.clear()
    yield
    messages._cache.clear()


def _failure(run) -> str:
    with pytest.raises(checks.CheckFailed) as info:
        run()
    return str(info.value)


def test_a_hint_and_a_misconception_from_an_exercise_cell_are_shown_translated(russian_hint):
    import pandas as pd

    frame = pd.DataFrame({"a": range(6)})
    text = _failure(
        lambda: checks.check_frame(
            frame,
            n_rows=5,
            name="t",
            hint="Drop the repeated row.",
            misconceptions={"The repeated row is still there.": 6},
        )
    )
    assert "Повторяющаяся строка всё ещё на месте." in text
    assert "Удалите повторяющуюся строку." in text
    assert "Drop the repeated row." not in text
