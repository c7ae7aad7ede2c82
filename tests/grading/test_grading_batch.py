"""One batch through the whole pipeline with real nbgrader: honest submissions and one of every
kind of misbehaviour, graded by 2 isolated workers, then feedback, export, report and status.

Fixture questions: q1 (2 points, `double`), q2 (1 point, `district_count`), q3 (2 points,
`mean_speed`) are autograded; q4 (2 points) is a written answer graded by hand.
A misbehaviour placed in the first answer cell (before `double` is defined) costs exactly q1."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import nbformat
import psutil
import pytest
from grading_helpers import ASSIGNMENT, totals, write_batch

# its own group: the module-scoped batch must not be torn down between tests of other modules
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-batch")]

KINDS = [
    "correct",
    "correct",
    "blank",
    "wrong",
    "infinite-loop",
    "ignore-interrupt",
    "sleepy",
    "memory",
    "processes",
    "disk",
    "flood",
    "os-exit",
    "sys-exit",
    "hook-transformer",
    "hook-custom-exc",
    "hook-showtraceback",
    "hook-builtins",
    "snoop",
    "always-equal",
    "tamper-edit",
    "tamper-delete",
    "tamper-retag",
    "tamper-reorder",
    "rebind",
]
CELL_TIMEOUT = 4.0


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def graded(released_course, tmp_path_factory):
    from smartseoul.grading import autograde, intake
    from smartseoul.grading.course import Course
    from smartseoul.grading.sandbox import Limits

    base = tmp_path_factory.mktemp("batch") / "course"
    shutil.copytree(released_course, base)
    course = Course.at(base)
    gb = course.grading / "gradebook.db"
    hidden = [
        str(course.exercises) + "/**/*",
        str(gb),
        str(course.grading / "nbgrader_config.py"),
        str(course.grading / ".pipeline") + "/**/*",
        str(course.grading / "submitted") + "/**/*",
    ]
    kinds, roster = write_batch(
        course,
        KINDS,
        base.parent / "subs",
        cell_timeout=CELL_TIMEOUT,
        paths=hidden,
        writes=[str(gb), str(course.exercises / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
    )
    rep = intake.intake(course, ASSIGNMENT, base.parent / "subs", roster)
    assert len(rep.accepted) == len(KINDS) and not rep.rejected
    before = _digest(course.exercises) | {"nbgrader_config.py": _digest(course.grading)["nbgrader_config.py"]}
    limits = Limits(
        cell_timeout=CELL_TIMEOUT,
        notebook_timeout=20,
        memory_bytes=2 * 1024**3,
        file_bytes=16 * 1024**2,
        disk_bytes=64 * 1024**2,
        hard_kill_grace=8,
    )
    summary = autograde.autograde(course, ASSIGNMENT, workers=2, limits=limits)
    after = _digest(course.exercises) | {"nbgrader_config.py": _digest(course.grading)["nbgrader_config.py"]}
    results = {
        s: json.loads((course.pipeline_dir(ASSIGNMENT) / "results" / f"{s}.json").read_text()) for s in kinds
    }
    return {
        "course": course,
        "kinds": kinds,
        "summary": summary,
        "results": results,
        "scores": totals(course),
        "before": before,
        "after": after,
        "limits": limits,
    }


def _by_kind(graded, kind):
    return [s for s, k in graded["kinds"].items() if k == kind]


def _flags(graded, student):
    return {f["code"] for f in graded["results"][student]["flags"]}


def test_every_submission_is_graded_once(graded):
    s = graded["summary"]
    assert sorted(s.graded) == sorted(graded["kinds"]) and not s.rejected
    assert s.level in ("full", "userns", "basic")


def test_honest_submissions_get_exactly_their_points(graded):
    for st in _by_kind(graded, "correct"):
        assert graded["scores"][st] == 5.0 and not graded["results"][st]["flags"]
    assert graded["scores"][_by_kind(graded, "blank")[0]] == 0.0
    wrong = _by_kind(graded, "wrong")[0]
    assert 0.0 < graded["scores"][wrong] < 5.0


@pytest.mark.parametrize(
    "kind,codes,score",
    [
        ("infinite-loop", {"timeout"}, 3.0),
        ("ignore-interrupt", {"timeout"}, 3.0),
        ("memory", {"memory"}, 3.0),
        ("os-exit", {"kernel-died"}, 3.0),
        ("sys-exit", {"sys-exit"}, 3.0),
        ("flood", {"output-flood"}, 5.0),
        ("processes", {"processes", "attempt"}, 5.0),
        ("disk", {"disk"}, 5.0),
        ("snoop", {"attempt"}, 5.0),
        ("hook-transformer", {"tamper"}, 0.0),
        ("hook-custom-exc", {"tamper"}, 0.0),
        ("hook-showtraceback", {"tamper"}, 0.0),
        ("hook-builtins", {"tamper"}, 0.0),
        ("always-equal", {"unreadable-answer"}, 0.0),
        ("tamper-edit", {"test-edited"}, 0.0),
        ("tamper-delete", {"test-missing"}, 0.0),
        ("tamper-retag", {"metadata-changed"}, 0.0),
        ("tamper-reorder", {"reordered"}, 5.0),
        ("rebind", {"rebinds-tested-name"}, 0.0),
    ],
)
def test_misbehaviour_is_flagged_and_earns_only_real_points(graded, kind, codes, score):
    st = _by_kind(graded, kind)[0]
    assert codes <= _flags(graded, st), graded["results"][st]["flags"]
    assert graded["scores"][st] == score
    assert graded["results"][st]["state"] == "graded-with-flags"
    assert all(f["message"] for f in graded["results"][st]["flags"])


def test_sleeping_cell_after_cell_hits_the_notebook_limit_and_keeps_what_ran(graded):
    st = _by_kind(graded, "sleepy")[0]
    assert _flags(graded, st) & {"notebook-timeout", "hard-killed"}
    res = graded["results"][st]
    assert any(t["failed_because"] and "no result" in t["failed_because"] for t in res["tests"].values())
    nb = nbformat.read(graded["course"].autograded_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb", as_version=4)
    ran = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
    assert ran, "the cells that ran before the limit must be kept"
    assert graded["scores"][st] < 5.0


def test_a_test_that_produced_no_result_counts_as_failed(graded):
    st = _by_kind(graded, "ignore-interrupt")[0]
    tests = graded["results"][st]["tests"]
    assert tests["q1-tests"]["status"] in ("ok", "error")
    for st in _by_kind(graded, "sleepy"):
        for gid, t in graded["results"][st]["tests"].items():
            if t["status"] not in ("ok", "error"):
                assert t["failed_because"], gid


def test_output_is_capped_in_bytes(graded):
    st = _by_kind(graded, "flood")[0]
    nb = nbformat.read(graded["course"].autograded_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb", as_version=4)
    size = len(json.dumps(nb.cells[1].outputs))
    assert size < graded["limits"].output_bytes_per_cell * 1.2


def test_no_process_outlives_grading(graded):
    from smartseoul.grading.sandbox import JOB_MARKER

    mine = f"-{os.getpid()}-"  # job ids of this batch carry the pid of the process that graded it
    left = []
    for p in psutil.process_iter(["pid", "name"]):
        try:
            if mine in p.environ().get(JOB_MARKER, ""):
                left.append(p.info)
        except (psutil.Error, OSError):
            continue
    assert not left


def test_submissions_cannot_touch_instructor_files(graded):
    assert graded["before"] == graded["after"]
    st = _by_kind(graded, "snoop")[0]
    nb = nbformat.read(graded["course"].autograded_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert "SNOOP-WROTE" not in text and "SNOOP-NET-OK" not in text
    if graded["summary"].level in ("full", "userns"):
        assert "SNOOP-READ []" in text, text


def test_flagged_questions_need_manual_review_in_formgrader(graded):
    from smartseoul.grading import gradebook

    st = _by_kind(graded, "always-equal")[0]
    rows = [
        r
        for r in gradebook.scores(graded["course"], ASSIGNMENT)
        if r["student"] == st and r["grade_id"] == "q2-tests"
    ]
    assert rows and rows[0]["needs_manual_grade"]


def test_rerun_is_idempotent(graded):
    from smartseoul.grading import autograde

    s = autograde.autograde(graded["course"], ASSIGNMENT, workers=2, limits=graded["limits"])
    assert not s.graded and sorted(s.skipped) == sorted(graded["kinds"])
    assert totals(graded["course"]) == graded["scores"]


def test_status_accounts_for_every_submission(graded):
    from smartseoul.grading.status import status

    st = status(graded["course"], ASSIGNMENT)
    assert st.balanced and st.received == len(graded["kinds"])
    assert (
        st.counts["pending"] == 0
        and st.counts["graded"] == 4
        and st.counts["graded-with-flags"] == len(graded["kinds"]) - 4
    )
    assert st.isolation.split(":")[0] == graded["summary"].level


def test_feedback_shows_results_but_never_hidden_tests(graded):
    from smartseoul.grading.feedback import feedback

    course = graded["course"]
    students = [_by_kind(graded, k)[0] for k in ("correct", "wrong", "snoop", "always-equal")]
    paths = feedback(course, ASSIGNMENT, students)
    assert len(paths) == len(students)
    for p in paths:
        html = p.read_text()
        assert (
            "HIDDEN TESTS" not in html and "double(-3) == -6" not in html and "mean_speed([30])" not in html
        )
        assert "Score:" in html
        assert "<h1" in html and "&lt;h1" not in html and "&lt;p&gt;" not in html  # rendered, not escaped
    wrong_html = (course.feedback_dir(students[1], ASSIGNMENT) / f"{ASSIGNMENT}.html").read_text()
    assert "failed" in wrong_html and "passed" in wrong_html


def test_export_writes_nbgrader_and_lms_csv(graded):
    from smartseoul.grading.export import export

    out = export(graded["course"], ASSIGNMENT)
    with open(out["lms"]) as fh:
        rows = list(csv.DictReader(fh))
    assert {r["student_id"] for r in rows} == set(graded["kinds"])
    for r in rows:
        assert float(r["total"]) == graded["scores"][r["student_id"]]
        assert float(r["total"]) == sum(
            float(r[q]) for q in ("q1-tests", "q2-tests", "q3-tests", "q4-answer")
        )
    with open(out["nbgrader"]) as fh:
        nbg = list(csv.DictReader(fh))
    assert {r["student_id"] for r in nbg} == set(graded["kinds"])


def test_report_has_plots_with_alt_text_and_flagged_list(graded):
    from smartseoul.grading.report import report

    html = report(graded["course"], ASSIGNMENT).read_text()
    assert html.count('<img src="data:image/png;base64,') == 3
    assert html.count(' alt="') >= 3
    assert _by_kind(graded, "always-equal")[0] in html and "discrimination" in html
