"""Build the nbgrader source notebooks from short Python specs, so every cell carries the
right nbgrader metadata and the notebooks stay consistent.

Each ``tools/exercise_authoring/<assignment>.py`` defines ``CELLS`` with the helpers below; run
``python tools/exercise_authoring/build.py`` to (re)write ``exercises/<assignment>/<assignment>.ipynb``.
Edit the spec, not the notebook: a fast test checks the two agree.

Cell kinds (nbgrader 0.9 metadata, schema_version 3):
- ``text(id, md)``: read-only markdown (intro, task statements).
- ``setup(id, code)``: read-only code the trainee runs (imports, data loading).
- ``answer(id, code, skill=...)``: an autograded answer; the solution goes between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (added around the whole code if absent).
- ``test(id, points, visible, hidden)``: the locked test cell ``<id>_test``: visible self-checks,
  then ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``.
- ``written(id, points, model)``: a manually graded markdown answer; the model answer and the
  instructor rubric sit inside the solution region, so students only see "YOUR ANSWER HERE".
"""

from __future__ import annotations

import textwrap

import nbformat

SKILLS = ("cleaning", "aggregation", "indicator", "spatial", "function")


def _meta(grade_id: str, *, solution: bool, grade: bool, locked: bool, points: float | None = None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _clean(src: str) -> str:
    return textwrap.dedent(src).strip("\n")


def text(grade_id: str, md: str):
    return nbformat.v4.new_markdown_cell(
        _clean(md), metadata=_meta(grade_id, solution=False, grade=False, locked=True)
    )


def setup(grade_id: str, code: str):
    return nbformat.v4.new_code_cell(
        _clean(code), metadata=_meta(grade_id, solution=False, grade=False, locked=True)
    )


def answer(grade_id: str, code: str, skill: str):
    if skill not in SKILLS:
        raise ValueError(f"skill must be one of {SKILLS}")
    src = _clean(code)
    if "### BEGIN SOLUTION" not in src:
        src = f"### BEGIN SOLUTION\n{src}\n### END SOLUTION"
    meta = _meta(grade_id, solution=True, grade=False, locked=False)
    meta["smartseoul"] = {"skill": skill}
    return nbformat.v4.new_code_cell(src, metadata=meta)


def test(grade_id: str, points: float, visible: str, hidden: str):
    src = f"{_clean(visible)}\n### BEGIN HIDDEN TESTS\n{_clean(hidden)}\n### END HIDDEN TESTS"
    return nbformat.v4.new_code_cell(
        src, metadata=_meta(f"{grade_id}_test", solution=False, grade=True, locked=True, points=points)
    )


def written(grade_id: str, points: float, model: str):
    src = f"### BEGIN SOLUTION\n{_clean(model)}\n### END SOLUTION"
    return nbformat.v4.new_markdown_cell(
        src, metadata=_meta(grade_id, solution=True, grade=True, locked=False, points=points)
    )


def notebook(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    # stable ids keep diffs small when the spec changes
    for i, cell in enumerate(nb.cells):
        cell["id"] = cell["metadata"]["nbgrader"]["grade_id"].replace("_", "-")[:64] or f"cell-{i}"
    return nb


HOW_IT_WORKS = """
**How to work.** Run the cells from the top (Shift+Enter). Each question has a cell that says
`# YOUR CODE HERE`: replace `raise NotImplementedError()` with your code and keep the variable
names the question asks for. The data come from `smartseoul.data`, so everything works offline.

**How to check yourself.** Run the locked cell under your answer. If it prints *Passed*, your
answer has the right shape and passes the visible checks; if not, the message says what is wrong
and gives a hint (it never gives the answer). When grading, extra hidden checks of the same
question also run, so make your answer follow the question, not just the visible checks.

**How it is graded.** The automatic checks give the points of a question only if every check
passes. Written answers are read and graded by your instructor with the rubric stated in the
question. Before submitting, choose *Kernel > Restart Kernel and Run All Cells* and make sure
the notebook runs from top to bottom.
"""


def intro(title: str, body: str, points_line: str):
    return text("intro", f"# {title}\n\n{_clean(body)}\n\n{_clean(HOW_IT_WORKS)}\n\n{points_line}")
