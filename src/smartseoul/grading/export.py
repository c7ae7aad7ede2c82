"""Grades out of the gradebook: nbgrader's own CSV, and an LMS-ready CSV (student ID, total,
points per question) for one assignment. Both land in `grading/exports/`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from . import gradebook, journal
from .course import Course, GradingError


def nbgrader_csv(course: Course, path: Path) -> Path:
    """nbgrader's CsvExportPlugin, exactly as `nbgrader export` runs it (all assignments)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    plugin = CsvExportPlugin(to=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        plugin.export(gb)
    return path


def lms_rows(course: Course, assignment: str) -> tuple[list[str], list[dict]]:
    rows = gradebook.scores(course, assignment)
    if not rows:
        raise GradingError(
            f"no grades for '{assignment}' in the gradebook: run `smartseoul grade autograde {assignment}` first."
        )
    questions: list[str] = []
    for r in rows:
        if r["grade_id"] not in questions:
            questions.append(r["grade_id"])
    by_student: dict[str, dict] = {}
    for r in rows:
        d = by_student.setdefault(r["student"], {"student_id": r["student"], "total": 0.0, "max_total": 0.0})
        d[r["grade_id"]] = r["score"]
        d["total"] += r["score"]
        d["max_total"] += r["max_score"]
    return ["student_id", "total", "max_total", *questions], [by_student[s] for s in sorted(by_student)]


def lms_csv(course: Course, assignment: str, path: Path) -> Path:
    header, rows = lms_rows(course, assignment)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (f"{v:g}" if isinstance(v, float) else v) for k, v in r.items()})
    journal.atomic_write(path, buf.getvalue().encode("utf-8"))
    return path


def export(course: Course, assignment: str) -> dict[str, Path]:
    course.check_assignment(assignment)
    out = course.grading / "exports"
    return {
        "nbgrader": nbgrader_csv(course, out / "grades-nbgrader.csv"),
        "lms": lms_csv(course, assignment, out / f"{assignment}-lms.csv"),
    }
