"""The one writer to nbgrader's gradebook.

Scores are computed by nbgrader itself: its own `Autograde` converter runs on the notebook the
sandbox executed, with nbgrader's execution step removed (the sandbox already ran it) and without
clearing outputs. So `autograded/`, `gradebook.db`, formgrader, feedback and export are exactly
what nbgrader would have, and only the grading parent process ever writes them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .course import Course, GradingError


def _config(course: Course, assignment: str, student: str, submitted_rel: str):
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        DeduplicateIds,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course.grading)).load_config()
    c = Config()
    c.merge(cfg)
    c.CourseDirectory.root = str(course.grading)
    c.CourseDirectory.submitted_directory = submitted_rel
    c.CourseDirectory.assignment_id = assignment
    c.CourseDirectory.student_id = student
    c.Autograde.sanitize_preprocessors = [
        DeduplicateIds,
        OverwriteKernelspec,
        OverwriteCells,
        CheckCellMetadata,
    ]
    # nbgrader checks the cell metadata twice by default; once is enough here (the notebook was
    # rebuilt from the trusted template, and nothing between the two checks changes metadata)
    c.Autograde.autograde_preprocessors = [
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
    ]
    c.Autograde.force = True
    c.Autograde.create_student = True
    return c


def record(course: Course, assignment: str, student: str, submitted_rel: str) -> None:
    """Score `<root>/<submitted_rel>/<student>/<assignment>/*.ipynb` (already executed) into the
    gradebook and `autograded/`, with nbgrader's own scoring."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    c = _config(course, assignment, student, submitted_rel)
    coursedir = CourseDirectory(config=c)
    app = Autograde(coursedir=coursedir, config=c)
    app.log.setLevel(logging.ERROR)
    try:
        app.start()
    except Exception as exc:  # nbgrader raises NbGraderException after logging
        raise GradingError(f"nbgrader could not record {student}: {exc}") from exc


def mark_for_review(
    course: Course, assignment: str, student: str, notebook: str, grade_ids: set[str]
) -> None:
    """Flagged questions show up in formgrader as needing a manual look."""
    if not grade_ids:
        return
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        for gid in grade_ids:
            try:
                grade = gb.find_grade(gid, notebook, assignment, student)
            except MissingEntry:
                continue
            grade.needs_manual_grade = True
        gb.db.commit()


def scores(course: Course, assignment: str) -> list[dict]:
    """Per student and per graded cell: points earned and possible, from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            return []
        for sub in a.submissions:
            for nb in sub.notebooks:
                for g in nb.grades:
                    rows.append(
                        {
                            "student": sub.student.id,
                            "notebook": nb.name,
                            "grade_id": g.name,
                            "score": float(g.score or 0.0),
                            "max_score": float(g.max_score or 0.0),
                            "auto": g.auto_score is not None,
                            "needs_manual_grade": bool(g.needs_manual_grade),
                        }
                    )
    return rows


def gradebook_exists(course: Course) -> bool:
    return Path(course.grading / "gradebook.db").exists()
