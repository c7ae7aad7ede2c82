"""`smartseoul exercises lint`: each rule fails on a planted fault in a copy of a real assignment,
and `--fix` repairs only what is mechanical."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import exercise_harness as h
import nbformat
import pytest

from smartseoul.exercises import cells, lint

ASSIGNMENT = "m3-owl-bus"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course folder holding a copy of one real assignment, as an instructor would edit it."""
    (tmp_path / "exercises").mkdir()
    shutil.copytree(h.EXERCISES / ASSIGNMENT, tmp_path / "exercises" / ASSIGNMENT)
    return tmp_path


def _path(course: Path) -> Path:
    return cells.source_path(course / "exercises", ASSIGNMENT)


def _edit(course: Path, change) -> None:
    """Change the notebook the way JupyterLab saves it (nbformat, version 4)."""
    nb = nbformat.read(_path(course), as_version=4)
    change(nb)
    nbformat.write(nb, _path(course))


def _cell(nb, grade: str):
    return next(c for c in nb.cells if cells.grade_id(c) == grade)


def _codes(course: Path) -> list[str]:
    return [f.code for f in lint.lint_course(course / "exercises")]


def _solution_line(nb, answer: str) -> str:
    inside, _ = cells.regions(_cell(nb, answer).source, *cells.SOLUTION)
    return next(line.strip() for line in inside if "(" in line and len(line.strip()) > 30)


def test_the_copy_is_clean(course):
    assert _codes(course) == []


def test_a_hint_that_quotes_the_solution_fails(course):
    def leak(nb):
        line = _solution_line(nb, "q4")
        task = _cell(nb, "q4_task")
        task.source = task.source.replace("</details>", f"Try `{line.split('=', 1)[1].strip()}`.\n</details>")

    _edit(course, leak)
    found = lint.lint_course(course / "exercises")
    assert [f.code for f in found] == ["hint-leak"], found
    assert found[0].where == f"{ASSIGNMENT}/q4_task" and "name the method" in found[0].fix


def test_a_check_message_that_quotes_the_solution_fails(course):
    def leak(nb):
        line = _solution_line(nb, "q4")
        test = _cell(nb, "q4_test")
        planted = f'raise checks.CheckFailed("Write {line}")\n'
        test.source = test.source.replace("checks.need(", planted + "checks.need(", 1)

    _edit(course, leak)
    assert _codes(course) == ["hint-leak"]


def test_a_hint_that_names_the_method_passes(course):
    def honest(nb):
        task = _cell(nb, "q4_task")
        task.source = task.source.replace(
            "</details>", "Use a spatial predicate such as `within`.\n</details>"
        )

    _edit(course, honest)
    assert _codes(course) == []


@pytest.mark.parametrize(
    ("plant", "code"),
    [
        (
            lambda nb: _cell(nb, "q2_test").update(
                source=_cell(nb, "q2_test").source.split("### BEGIN HIDDEN")[0]
            ),
            "hidden",
        ),
        (lambda nb: _cell(nb, "q2_test").metadata.nbgrader.update(points=0), "points"),
        (lambda nb: _cell(nb, "q2_test").metadata.nbgrader.update(locked=False), "unlocked"),
        (lambda nb: _cell(nb, "q2").metadata.pop("smartseoul"), "skill"),
        (
            lambda nb: _cell(nb, "q2_task").update(
                source=_cell(nb, "q2_task").source.replace("Hint 3: a pattern to complete", "More")
            ),
            "hint-steps",
        ),
        (lambda nb: _cell(nb, "q2").update(source="pickups_by_hour = None"), "solution"),
        (lambda nb: _cell(nb, "q3_task").metadata.pop("nbgrader"), "no-kind"),
        (lambda nb: _cell(nb, "q3_task").metadata.nbgrader.update(grade_id="q2_task"), "duplicate-id"),
        (lambda nb: _cell(nb, "q2_test").metadata.nbgrader.update(points=5), "points-line"),
        (
            lambda nb: _cell(nb, "setup").update(source=_cell(nb, "setup").source + '\npd.read_csv("x.csv")'),
            "path",
        ),
    ],
)
def test_each_rule_fails_on_its_planted_fault(course, plant, code):
    _edit(course, plant)
    assert code in _codes(course)


def test_a_query_on_a_path_from_smartseoul_data_passes(course):
    """SQL that reads a file named by a variable (an f-string placeholder) is not a typed path."""

    def query(nb):
        setup = _cell(nb, "setup")
        setup.source += "\nimport duckdb\nduckdb.sql(f\"SELECT 1 FROM read_parquet('{hourly_file}')\")"

    _edit(course, query)
    assert _codes(course) == []


def test_fix_clears_outputs_and_sets_ids_and_nothing_else(course):
    def run_in_lab(nb):
        setup = _cell(nb, "setup")
        setup.outputs = [nbformat.v4.new_output("stream", text="ran\n")]
        setup.execution_count = 3
        _cell(nb, "q2")["id"] = "a1b2c3"

    _edit(course, run_in_lab)
    assert sorted(_codes(course)) == ["cell-id", "outputs"]
    before = [c.source for c in nbformat.read(_path(course), as_version=4).cells]
    assert lint.lint_course(course / "exercises", fix=True) == []
    after = nbformat.read(_path(course), as_version=4)
    assert [c.source for c in after.cells] == before
    assert _cell(after, "setup").outputs == [] and _cell(after, "q2")["id"] == "q2"


def test_a_broken_notebook_is_reported_and_left_as_it_was(course):
    _path(course).write_text('{"cells": [', encoding="utf-8")
    found = lint.lint_course(course / "exercises", fix=True)
    assert [f.code for f in found] == ["unreadable"] and "git checkout" in found[0].fix
    assert _path(course).read_text(encoding="utf-8") == '{"cells": ['


def test_the_command_exits_1_and_says_how_to_fix(course):
    _edit(course, lambda nb: _cell(nb, "q2_test").metadata.nbgrader.update(points=0))
    env = {"SMARTSEOUL_HOME": str(course), "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    run = subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "exercises", "lint", ASSIGNMENT],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{ASSIGNMENT}/q2_test" in run.stdout and "Fix:" in run.stdout
    _edit(course, lambda nb: _cell(nb, "q2_test").metadata.nbgrader.update(points=2))
    run = subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "exercises", "lint"], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0 and "follow the rules" in run.stdout, run.stdout + run.stderr


@pytest.mark.slow
def test_check_runs_the_solutions_and_names_the_test_a_wrong_one_fails(course):
    assert lint.check_solutions(course / "exercises", [ASSIGNMENT]) == []

    def wrong_solution(nb):
        answer = _cell(nb, "q2")
        answer.source = answer.source.replace(".sum()", ".mean()")

    _edit(course, wrong_solution)
    found = lint.check_solutions(course / "exercises", [ASSIGNMENT])
    assert [(f.code, f.where) for f in found] == [("solution-fails", f"{ASSIGNMENT}/q2_test")]
    assert "CheckFailed" in found[0].what
