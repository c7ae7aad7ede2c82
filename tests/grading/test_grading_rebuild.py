"""Rebuilding a submission from the trusted template (no kernel, no nbgrader run: fast)."""

from __future__ import annotations

import copy
import re

import nbformat
import pytest
from grading_helpers import ASSIGNMENT, FIXTURES

from smartseoul.grading.course import GradingError
from smartseoul.grading.rebuild import (
    Template,
    assignment_cell_names,
    grade_id,
    is_answer,
    is_test,
    read_notebook,
    rebuild,
)

SOURCE = FIXTURES / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def _clear_solution(src: str) -> str:
    return re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", STUB, src, flags=re.S)


def _clear_hidden(src: str) -> str:
    return re.sub(r"\n?### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", src, flags=re.S)


@pytest.fixture()
def template() -> Template:
    src = nbformat.read(SOURCE, as_version=4)
    grading = copy.deepcopy(src)
    for c in grading.cells:
        if is_answer(c):
            c.source = _clear_solution(c.source) if c.cell_type == "code" else "YOUR ANSWER HERE"
    release = copy.deepcopy(grading)
    for c in release.cells:
        if is_test(c):
            c.source = _clear_hidden(c.source)
    return Template(ASSIGNMENT, ASSIGNMENT, release, grading)


def _answered(t: Template):
    nb = copy.deepcopy(t.release)
    for c in nb.cells:
        if grade_id(c) == "q1-answer":
            c.source = "def double(x):\n    return x + x"
    return nb


def _cell(nb, gid):
    return next(c for c in nb.cells if grade_id(c) == gid)


def test_answers_come_from_the_trainee_and_tests_from_the_template(template):
    built = rebuild(template, _answered(template))
    assert _cell(built.notebook, "q1-answer").source == "def double(x):\n    return x + x"
    assert "double(-3)" in _cell(built.notebook, "q1-tests").source  # hidden test restored
    assert not built.flags
    kinds = [r["kind"] for r in built.roles]
    assert kinds.count("test") == 3 and kinds.count("answer") == 4


def test_edited_test_cell_is_replaced_and_flagged(template):
    nb = _answered(template)
    _cell(nb, "q1-tests").source = "pass"
    built = rebuild(template, nb)
    assert _cell(built.notebook, "q1-tests").source == _cell(template.grading, "q1-tests").source
    assert [f["code"] for f in built.flags] == ["test-edited"]


def test_deleted_test_cell_is_restored_and_flagged(template):
    nb = _answered(template)
    nb.cells = [c for c in nb.cells if grade_id(c) != "q2-tests"]
    built = rebuild(template, nb)
    assert "district_count == 25" in _cell(built.notebook, "q2-tests").source
    assert {f["code"] for f in built.flags} == {"test-missing"}


def test_retagged_test_cell_runs_with_the_template_metadata(template):
    nb = _answered(template)
    cell = _cell(nb, "q3-tests")
    cell.metadata["nbgrader"]["grade"] = False
    cell.metadata["nbgrader"]["points"] = 0
    cell.metadata["tags"] = ["skip-execution", "raises-exception"]
    built = rebuild(template, nb)
    rebuilt = next(
        c
        for c in built.notebook.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "q3-tests"
    )
    assert rebuilt.metadata["nbgrader"]["points"] == 2 and rebuilt.metadata["nbgrader"]["grade"] is True
    assert "tags" not in rebuilt.metadata
    assert [f["code"] for f in built.flags] == ["metadata-changed"]
    assert "skip-execution" in built.flags[0]["message"]


def test_reordered_cells_are_put_back_in_order(template):
    nb = _answered(template)
    nb.cells = list(reversed(nb.cells))
    built = rebuild(template, nb)
    assert [grade_id(c) for c in built.notebook.cells if grade_id(c)] == template.grade_ids
    assert "reordered" in {f["code"] for f in built.flags}


def test_added_cells_are_kept_in_place_and_rebinding_is_flagged(template):
    nb = _answered(template)
    pos = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "q1-answer")
    nb.cells.insert(
        pos + 1,
        nbformat.v4.new_code_cell("def helper():\n    return 1", metadata={"tags": ["skip-execution"]}),
    )
    q2 = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "q2-answer")
    nb.cells.insert(q2 + 1, nbformat.v4.new_code_cell("district_count = 25.0"))
    built = rebuild(template, nb)
    srcs = [c.source for c in built.notebook.cells]
    i_helper = srcs.index("def helper():\n    return 1")
    assert grade_id(built.notebook.cells[i_helper - 1]) == "q1-answer"
    assert built.notebook.cells[i_helper].metadata == {}  # trainee tags dropped
    codes = [f for f in built.flags if f["code"] == "rebinds-tested-name"]
    assert len(codes) == 1 and codes[0]["grade_id"] == "q2-tests" and "district_count" in codes[0]["message"]


def test_the_assignments_own_cells_are_parsed_once_per_batch(template):
    """The names a test reads and a setup cell binds come from a cache: the assignment's cells
    are the same in every submission, and parsing them again for each one was a third of the
    time it took to prepare a submission. A trainee's cell never enters the cache (no submission
    can fill the parent's memory through it), and the cached sets cannot be changed by the code
    that reads them, so one submission cannot alter what the next one is checked against."""
    first, second = _answered(template), _answered(template)
    rebuild(template, first)  # the cache now holds every cell of the assignment
    before = assignment_cell_names.cache_info()
    q2 = next(i for i, c in enumerate(second.cells) if grade_id(c) == "q2-answer")
    second.cells.insert(q2 + 1, nbformat.v4.new_code_cell("district_count = 25.0  # a trainee's cell"))
    built = rebuild(template, second)
    after = assignment_cell_names.cache_info()
    tests = sum(1 for role in built.roles if role["kind"] == "test")
    assert after.hits - before.hits >= 2 * tests, "the assignment's cells were parsed again"
    assert after.misses == before.misses, "a trainee's cell went into the cache"
    bound, loaded = assignment_cell_names(_cell(built.notebook, "q2-tests").source)
    with pytest.raises(AttributeError):
        loaded.add("district_count")  # type: ignore[attr-defined]
    assert "district_count" in loaded and isinstance(bound, frozenset)
    assert any(f["code"] == "rebinds-tested-name" for f in built.flags)  # the trainee's cell was still read


def test_unknown_and_duplicate_grade_ids_are_not_graded(template):
    nb = _answered(template)
    fake = copy.deepcopy(_cell(nb, "q1-tests"))
    fake.metadata["nbgrader"]["grade_id"] = "bonus"
    dup = copy.deepcopy(_cell(nb, "q1-answer"))
    dup.source = "def double(x):\n    return 0"
    nb.cells += [fake, dup]
    built = rebuild(template, nb)
    assert {f["code"] for f in built.flags} == {"unknown-grade-id", "duplicate-grade-id"}
    assert [r["grade_id"] for r in built.roles if r["kind"] == "answer"].count("q1-answer") == 1
    assert _cell(built.notebook, "q1-answer").source == "def double(x):\n    return x + x"


def test_missing_answer_falls_back_to_the_blank_template(template):
    nb = _answered(template)
    nb.cells = [c for c in nb.cells if grade_id(c) != "q3-answer"]
    built = rebuild(template, nb)
    assert "raise NotImplementedError" in _cell(built.notebook, "q3-answer").source
    assert {f["code"] for f in built.flags} == {"answer-missing"}


def test_the_template_reads_the_gradebooks_hidden_tests_as_nbgrader_does(course):
    """load_template reads the source cells with sqlite3 (nbgrader's API costs a second to import
    before the first submission can start). Every cell must be what nbgrader's own
    find_source_cell returns, and the hidden tests must be in the grading copy, not the release."""
    from nbgrader.api import Gradebook

    from smartseoul.grading.rebuild import gradebook_sources, load_template

    sources = gradebook_sources(course, ASSIGNMENT, ASSIGNMENT)
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        nbgrader_sources = {c.name: c.source for c in gb.find_notebook(ASSIGNMENT, ASSIGNMENT).source_cells}
        assert sources == nbgrader_sources and len(sources) >= 5
        for gid in sources:
            assert sources[gid] == gb.find_source_cell(gid, ASSIGNMENT, ASSIGNMENT).source
    t = load_template(course, ASSIGNMENT, ASSIGNMENT)
    hidden = [c for c in t.grading.cells if "BEGIN HIDDEN TESTS" in c.source]
    assert hidden, "no hidden test reached the grading template"
    assert not any("BEGIN HIDDEN TESTS" in c.source for c in t.release.cells)
    assert gradebook_sources(course, ASSIGNMENT, "no-such-notebook") == {}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\x89PNG not a notebook", "not a readable Jupyter notebook"),
        (b'{"cells": "none", "nbformat": 4}', "not a valid Jupyter notebook"),
        # valid JSON and nbformat 4, but a code cell without its outputs: the schema says no
        (
            b'{"cells": [{"cell_type": "code", "metadata": {}, "source": "1", "execution_count": null}],'
            b' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            "not a valid Jupyter notebook",
        ),
    ],
)
def test_a_notebook_that_cannot_be_read_is_refused_with_the_reason(tmp_path, content, says):
    """Read once and validated once (nbformat.read hands over its validation error): a file that
    is not a notebook, or breaks the notebook schema, is a GradingError naming what is wrong."""
    path = tmp_path / "submission.ipynb"
    path.write_bytes(content)
    with pytest.raises(GradingError, match=says):
        read_notebook(path)


def test_a_valid_notebook_is_read():
    assert read_notebook(SOURCE).cells
