"""How the grading parent records scores with nbgrader, at the cost of a batch and not of each
submission: nbgrader's gradebook objects share one database engine while a batch records, and
nbgrader's metadata check runs once per batch on the trusted template that every rebuilt
notebook takes its graded cells from. The scores must be exactly what nbgrader gives without
either."""

from __future__ import annotations

import shutil
import warnings

import nbformat
import pytest
from grading_helpers import ASSIGNMENT, write_batch

from smartseoul.grading import gradebook, intake
from smartseoul.grading.autograde import Pipeline
from smartseoul.grading.course import Course

pytestmark = pytest.mark.xdist_group("grading")


@pytest.fixture()
def submitted(course, tmp_path):
    """The course with three submissions taken in, ready for nbgrader to record."""
    _kinds, roster = write_batch(course, ["correct", "wrong", "blank"], tmp_path / "subs")
    rep = intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)
    assert len(rep.accepted) == 3 and not rep.rejected
    return course, sorted(p.name for p in (course.grading / "submitted").iterdir())


def test_a_batch_opens_one_database_engine_and_gives_nbgrader_back_its_own(submitted, monkeypatch, tmp_path):
    import nbgrader.api

    course, students = submitted
    twin = Course.at(shutil.copytree(course.root, tmp_path / "twin", symlinks=True))
    opened: list[str] = []
    original = nbgrader.api.create_engine

    def counting(url, **kwargs):
        opened.append(str(url))
        return original(url, **kwargs)

    monkeypatch.setattr(nbgrader.api, "create_engine", counting)
    with gradebook.batch():
        for student in students:
            gradebook.record(course, ASSIGNMENT, student, "submitted")
        gradebook.mark_for_review(course, ASSIGNMENT, students[0], ASSIGNMENT, {"q1-tests"})
    assert opened == [course.db_url], f"one engine for the whole batch, not {len(opened)}"
    assert nbgrader.api.create_engine is counting, "after the batch nbgrader opens its engines itself"

    opened.clear()
    for student in students:  # outside a batch: nbgrader as it is, an engine per gradebook object
        gradebook.record(twin, ASSIGNMENT, student, "submitted")
    gradebook.mark_for_review(twin, ASSIGNMENT, students[0], ASSIGNMENT, {"q1-tests"})
    assert len(opened) > len(students)
    assert gradebook.scores(course, ASSIGNMENT) == gradebook.scores(twin, ASSIGNMENT)


def test_a_batch_checks_the_gradebooks_tables_once(submitted, monkeypatch, tmp_path):
    """nbgrader's `Gradebook()` looks for its thirteen tables each time it opens, about nine
    times per record. In a batch it looks once per engine; the scores stay nbgrader's."""
    import nbgrader.api
    from sqlalchemy import text

    course, students = submitted
    twin = Course.at(shutil.copytree(course.root, tmp_path / "twin", symlinks=True))
    looked: list[object] = []
    created: list[object] = []
    real_inspect, metadata = nbgrader.api.inspect, nbgrader.api.Base.metadata
    real_create_all = type(metadata).create_all

    def counting_inspect(engine):
        looked.append(engine)
        return real_inspect(engine)

    def counting_create_all(self, bind=None, **kwargs):
        created.append(bind)
        return real_create_all(self, bind=bind, **kwargs)

    monkeypatch.setattr(nbgrader.api, "inspect", counting_inspect)
    monkeypatch.setattr(type(metadata), "create_all", counting_create_all)
    monkeypatch.setattr(nbgrader.api, "get_alembic_version", lambda: "test")  # not `alembic heads`
    fresh = f"sqlite:///{tmp_path / 'new.db'}"
    with gradebook.batch():
        for student in students:
            gradebook.record(course, ASSIGNMENT, student, "submitted")
        for _ in range(3):  # a gradebook with no tables yet gets them, and its version row, once
            with nbgrader.api.Gradebook(fresh, course_id=course.course_id):
                pass
    assert len(looked) == 2 and len(created) == 2, (
        f"each engine's tables looked for once, not {len(looked)} and {len(created)} times"
    )
    assert nbgrader.api.inspect is counting_inspect, "after the batch nbgrader looks for its tables itself"
    assert "create_all" not in vars(metadata)
    with nbgrader.api.Gradebook(fresh, course_id=course.course_id) as gb:
        versions = gb.db.execute(text("SELECT count(*) FROM alembic_version")).scalar()
    assert versions == 1, f"{versions} version rows in a new gradebook"

    for student in students:  # outside a batch: nbgrader as it is
        gradebook.record(twin, ASSIGNMENT, student, "submitted")
    assert gradebook.scores(course, ASSIGNMENT) == gradebook.scores(twin, ASSIGNMENT)


def test_a_batch_inside_another_gives_the_outer_one_back_its_own():
    import nbgrader.api

    metadata = nbgrader.api.Base.metadata
    with gradebook.batch():
        gradebook._share_engines()
        outer, outer_inspect = vars(metadata)["create_all"], nbgrader.api.inspect
        with gradebook.batch():
            gradebook._share_engines()
            assert vars(metadata)["create_all"] is not outer
        assert vars(metadata).get("create_all") is outer, "the outer batch lost its table check"
        assert nbgrader.api.inspect is outer_inspect
    assert "create_all" not in vars(metadata)


def test_recording_a_new_submission_prints_no_database_warning(submitted):
    """An instructor reads the terminal of `smartseoul grade autograde`: SQLAlchemy's warnings
    about how nbgrader adds a new submission's rows are noise there, not news."""
    course, students = submitted
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for student in students:
            gradebook.record(course, ASSIGNMENT, student, "submitted")
    shown = [f"{w.category.__name__}: {w.message}" for w in caught if "session" in str(w.message)]
    assert not shown, shown[0]
    assert len(gradebook.scores(course, ASSIGNMENT)) > 0, "the three submissions are in the gradebook"


def _release_cells(course: Course):
    path = course.release_dir(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
    return path, nbformat.read(path, 4)


@pytest.mark.parametrize(
    "key, value",
    [("points", "ten"), ("schema_version", 1)],  # q1-tests: points must be a number; schema 3 is current
    ids=["points-not-a-number", "old-schema"],
)
def test_broken_nbgrader_metadata_in_the_template_is_an_error_with_its_reason(submitted, key, value):
    course, students = submitted
    path, nb = _release_cells(course)
    nb.cells[2].metadata["nbgrader"][key] = value
    nbformat.write(nb, path)
    pipeline = Pipeline(course, ASSIGNMENT, workers=1, level="basic")
    result = pipeline.record(students[0], {"notebook": ASSIGNMENT, "flags": []})
    assert result["state"] == "error"
    assert "metadata does not validate" in result["reason"], result["reason"]


def test_the_template_is_checked_once_per_batch(submitted, monkeypatch):
    course, students = submitted
    checked: list[object] = []
    real = gradebook.check_template
    monkeypatch.setattr(gradebook, "check_template", lambda nb: (checked.append(nb), real(nb)))
    pipeline = Pipeline(course, ASSIGNMENT, workers=1, level="basic")
    for student in students:  # nothing was executed, so each record is an error; the check ran once
        pipeline.record(student, {"notebook": ASSIGNMENT, "flags": []})
    assert len(checked) == 1


def test_matplotlib_is_preloaded_only_for_an_assignment_that_draws(course):
    from smartseoul.grading.rebuild import draws

    assert not draws(course, ASSIGNMENT), "the fixture's notebook draws nothing"
    path, nb = _release_cells(course)
    nb.cells.append(nbformat.v4.new_code_cell("ax = speeds.plot(kind='bar')"))
    nbformat.write(nb, path)
    assert draws(course, ASSIGNMENT)
    assert Pipeline(course, ASSIGNMENT, workers=1, level="basic").draws


def test_the_modules_an_assignment_imports_are_preloaded_for_its_workers(course):
    """What the released notebooks import (and submodules named in `from a import b`) goes to
    the workers' fork server, so a kernel does not import scipy.spatial for every submission.
    Magic lines do not hide a cell's imports; plotting is left to `draws`; relative imports and
    cells that are not Python are skipped."""
    from smartseoul.grading.rebuild import imports

    path, nb = _release_cells(course)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "%time x = 1\nimport duckdb, numpy as np\nfrom scipy import sparse\n"
            "from scipy.spatial import cKDTree\nimport matplotlib.pyplot as plt\n"
            "from __future__ import annotations\nfrom . import local\n"
            "def later():\n    import sqlite3\n"
        )
    )
    nb.cells.append(nbformat.v4.new_code_cell("this is not python ("))
    nbformat.write(nb, path)
    found = imports(course, ASSIGNMENT)
    for name in ("duckdb", "numpy", "scipy", "scipy.sparse", "scipy.spatial", "sqlite3"):
        assert name in found, f"{name} is imported by the released notebook but not preloaded: {found}"
    assert not [n for n in found if n.startswith(("matplotlib", "__future__", "."))], found
    cfg = Pipeline(course, ASSIGNMENT, workers=1, level="basic")
    assert cfg.imports == found


def test_a_worker_with_nothing_left_ends_before_its_last_submission_is_recorded(submitted, monkeypatch):
    """The end of a batch: a worker tears down its kernels, judge and namespaces while the parent
    scores its last submission, not after."""
    course, students = submitted
    pipeline = Pipeline(course, ASSIGNMENT, workers=2, level="basic")
    open_at_record: dict[str, list[int]] = {}
    real = Pipeline.record

    def recording(self, student, result):
        open_at_record[student] = [s for s, w in self.pool.items() if not w.proc.stdin.closed]
        return real(self, student, result)

    monkeypatch.setattr(Pipeline, "record", recording)
    summary = pipeline.run()
    assert sorted(summary.graded) == students, summary
    last = list(open_at_record)[-1]
    assert open_at_record[last] == [], f"workers still waiting for jobs when {last} was recorded"
