"""What each cell of an assignment notebook is, read from its nbgrader metadata.

The course uses five kinds of cell. nbgrader's Create Assignment toolbar sets the metadata that
decides the kind; the names below are the ones the toolbar shows.

- text: read-only Markdown ("Read-only"): the introduction and the questions.
- setup: read-only code ("Read-only"): imports and data loading.
- answer: code the trainee writes ("Autograded answer"), between `### BEGIN SOLUTION` and
  `### END SOLUTION`. Its `smartseoul.skill` metadata names the skill it assesses.
- test: the locked test cell ("Autograder tests") named `<answer id>_test`: visible
  self-checks, then the hidden tests between `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS`.
- written: a Markdown answer graded by hand ("Manually graded answer"); the model answer and
  the rubric sit inside the solution region.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

SKILLS = ("cleaning", "aggregation", "indicator", "spatial", "function")
SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
MARK_SCHEME = ("=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ===")


def assignments(exercises_dir: Path) -> list[str]:
    """Each folder `exercises/<name>/` that holds `<name>.ipynb`."""
    return sorted(
        d.name
        for d in exercises_dir.iterdir()
        if d.is_dir() and not d.name.startswith((".", "_")) and (d / f"{d.name}.ipynb").exists()
    )


def source_path(exercises_dir: Path, assignment: str) -> Path:
    return exercises_dir / assignment / f"{assignment}.ipynb"


def nbgrader_meta(cell: Any) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell: Any) -> str:
    return str(nbgrader_meta(cell).get("grade_id", ""))


def kind(cell: Any) -> str:
    """text, setup, answer, test, written, or "" for a cell nbgrader does not know."""
    meta = nbgrader_meta(cell)
    if not meta:
        return ""
    code = cell.cell_type == "code"
    if meta.get("solution") and meta.get("grade"):
        return "test" if code else "written"
    if meta.get("solution"):
        return "answer" if code else ""
    if meta.get("grade"):
        return "test" if code else ""
    if meta.get("locked"):
        return "setup" if code else "text"
    return ""


def cell_id(grade: str) -> str:
    """The stable cell id for a grade id: diffs stay small and nbgrader finds the cell again."""
    return grade.replace("_", "-")[:64]


def regions(source: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    """(lines inside the begin/end regions, lines outside them) of one cell."""
    inside: list[str] = []
    outside: list[str] = []
    on = False
    for line in source.splitlines():
        s = line.strip()
        if s.startswith(begin):
            on = True
            continue
        if s.startswith(end):
            on = False
            continue
        (inside if on else outside).append(line)
    return inside, outside


@dataclass(frozen=True)
class Question:
    """An autograded question: the answer cell the trainee edits and its locked test cell."""

    answer_id: str
    test_id: str
    points: float
    skill: str


def questions(nb: nbformat.NotebookNode) -> list[Question]:
    """Each answer cell `<id>` whose test cell `<id>_test` exists, in notebook order."""
    tests = {grade_id(c): c for c in nb.cells if kind(c) == "test"}
    out = []
    for c in nb.cells:
        if kind(c) == "answer" and f"{grade_id(c)}_test" in tests:
            test = tests[f"{grade_id(c)}_test"]
            out.append(
                Question(
                    grade_id(c),
                    f"{grade_id(c)}_test",
                    float(nbgrader_meta(test).get("points", 0)),
                    str(c.get("metadata", {}).get("smartseoul", {}).get("skill", "")),
                )
            )
    return out


def written_answers(nb: nbformat.NotebookNode) -> list[tuple[str, float]]:
    """(grade id, points) of each answer graded by hand."""
    return [(grade_id(c), float(nbgrader_meta(c).get("points", 0))) for c in nb.cells if kind(c) == "written"]


def total_points(nb: nbformat.NotebookNode) -> float:
    return sum(q.points for q in questions(nb)) + sum(p for _, p in written_answers(nb))
