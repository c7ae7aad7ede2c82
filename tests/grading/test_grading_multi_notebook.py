"""An assignment of two notebooks: each is graded on its own (not only the first), and intake
takes one file per notebook per student."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from grading_helpers import FIXTURES, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]
TWO = "ps-two"


def test_every_notebook_of_a_submission_is_graded(tmp_path):
    from smartseoul.grading import autograde, gradebook, intake
    from smartseoul.grading.course import Course
    from smartseoul.grading.release import release
    from smartseoul.grading.sandbox import Limits
    from smartseoul.testing import submissions

    base = tmp_path / "course"
    (base / "grading").mkdir(parents=True)
    shutil.copy2(ROOT / "grading" / "nbgrader_config.py", base / "grading" / "nbgrader_config.py")
    (base / "exercises" / TWO).mkdir(parents=True)
    for part in ("part1", "part2"):
        shutil.copy2(
            FIXTURES / "exercises" / "ps-fixture" / "ps-fixture.ipynb",
            base / "exercises" / TWO / f"{part}.ipynb",
        )
    course = Course.at(base)
    release(course, TWO)
    makers = {p: submissions.Maker(course, TWO, notebook=p) for p in ("part1", "part2")}
    plan = {"s1": ("correct", "blank"), "s2": ("blank", "correct"), "s3": ("correct", "correct")}
    export = tmp_path / "export"
    export.mkdir()
    rows = ["file,student_id"]
    for student, kinds in plan.items():
        for part, kind in zip(("part1", "part2"), kinds):
            nbformat.write(makers[part].make(kind), export / f"{student}-{part}.ipynb")
            rows.append(f"{student}-{part}.ipynb,{student}")
    (tmp_path / "roster.csv").write_text("\n".join(rows) + "\n")
    rep = intake.intake(course, TWO, export, tmp_path / "roster.csv")
    assert len(rep.accepted) == 6 and not rep.rejected, rep.rejected
    summary = autograde.autograde(course, TWO, workers=2, limits=Limits(cell_timeout=10, notebook_timeout=60))
    assert sorted(summary.graded) == ["s1", "s2", "s3"] and not summary.errors
    by_nb: dict[tuple[str, str], float] = {}
    for row in gradebook.scores(course, TWO):
        by_nb[(row["student"], row["notebook"])] = (
            by_nb.get((row["student"], row["notebook"]), 0.0) + row["score"]
        )
    assert by_nb[("s1", "part1")] == 5.0 and by_nb[("s1", "part2")] == 0.0
    assert by_nb[("s2", "part1")] == 0.0 and by_nb[("s2", "part2")] == 5.0
    assert by_nb[("s3", "part1")] == 5.0 and by_nb[("s3", "part2")] == 5.0
    assert {s: totals_of(course, s) for s in plan} == {"s1": 5.0, "s2": 5.0, "s3": 10.0}


def totals_of(course, student: str) -> float:
    from smartseoul.grading import gradebook

    return sum(r["score"] for r in gradebook.scores(course, TWO) if r["student"] == student)
