"""Issue 17, item 5: a written answer may be in any course language. Every exercise, page 6b, the
memo rubric and the instructor guide say so, and name every language of locales/languages.yaml
(adding a language to the course without telling trainees and instructors fails here)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from smartseoul.i18n import exercise_hints
from smartseoul.i18n.languages import load

ROOT = Path(__file__).resolve().parents[2]


def _names() -> list[str]:
    # "Portuguese (Brazil)" is written "Portuguese" in the course's prose
    return [language.name.split(" (")[0] for language in load(ROOT).languages]


def _missing(text: str) -> list[str]:
    return [name for name in _names() if name not in text]


@pytest.mark.parametrize("notebook", exercise_hints.notebooks(ROOT), ids=lambda p: p.parent.name)
def test_every_exercise_says_written_answers_may_be_in_any_course_language(notebook):
    intro = next(c.source for c in nbformat.read(notebook, 4).cells if "**How it is graded.**" in c.source)
    rule = intro[intro.index("**Your language.**") :]
    assert _missing(rule) == [] and "sentence in English" in rule


@pytest.mark.parametrize(
    "page, section",
    [
        ("book/instructor-guide.md", "### Written answers in the trainees' languages"),
        ("book/instructor/memo-rubric.md", "**A memo in another language.**"),
    ],
)
def test_the_instructor_pages_say_how_to_grade_an_answer_in_another_language(page, section):
    text = (ROOT / page).read_text(encoding="utf-8")
    part = text[text.index(section) :][:2500]
    assert _missing(part) == []
    assert "machine translation" in part and "summary" in part


def test_the_memo_page_and_the_exercises_page_allow_the_trainees_language():
    memo = (ROOT / "modules/06-capstone-your-city/06b-policy-memo.md").read_text(encoding="utf-8")
    exercises = (ROOT / "book/exercises.md").read_text(encoding="utf-8")
    assert "summary of three sentences in English" in memo
    assert "in plain English" not in exercises and "course language you work in" in exercises
