"""Questions whose answers cannot cross the channel as data are declared per question in the
test cell's metadata and handled explicitly: a file the trainee wrote is read by the judge as
data ({"smartseoul": {"files": [...]}}); a question that needs a person goes to manual grading
({"smartseoul": {"judge": "manual"}}), with 0 automatic points and a flag until it is graded."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from grading_helpers import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]
NAME = "ps-declared"


def _cell(kind: str, gid: str, source: str, points: int = 0, meta: dict | None = None):
    nbg = {
        "grade_id": gid,
        "locked": kind == "test",
        "schema_version": 3,
        "solution": kind == "answer",
        "grade": kind == "test",
        "task": False,
    }
    if kind == "test":
        nbg["points"] = points
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = nbg
    if meta:
        cell.metadata["smartseoul"] = meta
    return cell


def _source_notebook():
    return nbformat.v4.new_notebook(
        cells=[
            _cell(
                "answer",
                "memo",
                "### BEGIN SOLUTION\nwith open('memo.txt', 'w') as f:\n    f.write('Seoul has 25 gu')\n### END SOLUTION",
            ),
            _cell(
                "test",
                "memo-test",
                "with open('memo.txt') as f:\n    assert '25 gu' in f.read(), 'memo.txt should say how many gu Seoul has'",
                2,
                {"files": ["memo.txt"]},
            ),
            _cell("answer", "chart", "### BEGIN SOLUTION\nchart_done = True\n### END SOLUTION"),
            _cell("test", "chart-test", "assert chart_done", 3, {"judge": "manual"}),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


def test_declared_files_and_manual_questions(tmp_path):
    from smartseoul.grading import autograde, gradebook
    from smartseoul.grading.course import Course
    from smartseoul.grading.release import release
    from smartseoul.grading.sandbox import Limits
    from smartseoul.testing import submissions

    base = tmp_path / "course"
    (base / "grading").mkdir(parents=True)
    shutil.copy2(ROOT / "grading" / "nbgrader_config.py", base / "grading")
    (base / "exercises" / NAME).mkdir(parents=True)
    nbformat.write(_source_notebook(), base / "exercises" / NAME / f"{NAME}.ipynb")
    course = Course.at(base)
    release(course, NAME)
    maker = submissions.Maker(course, NAME)
    for student, kind in (("s1", "correct"), ("s2", "blank")):
        target = course.submitted_dir(student, NAME)
        target.mkdir(parents=True)
        nbformat.write(maker.make(kind), target / f"{NAME}.ipynb")
    autograde.autograde(course, NAME, workers=2, limits=Limits(cell_timeout=10, notebook_timeout=60))
    rows = {(r["student"], r["grade_id"]): r for r in gradebook.scores(course, NAME)}
    assert rows[("s1", "memo-test")]["score"] == 2.0  # the file crossed as data and passed
    assert rows[("s2", "memo-test")]["score"] == 0.0  # no file, no points
    for student in ("s1", "s2"):  # the declared manual question waits for a person
        assert rows[(student, "chart-test")]["score"] == 0.0
        assert rows[(student, "chart-test")]["needs_manual_grade"]
    from smartseoul.grading import journal

    flags = {f["code"] for f in journal.load_result(course, NAME, "s1")["flags"]}
    assert "manual-question" in flags
