"""The one writer to nbgrader's gradebook.

Scores are computed by nbgrader itself: its own `Autograde` converter runs on the notebook the
sandbox executed, with nbgrader's execution step removed (the sandbox already ran it) and without
clearing outputs. So `autograded/`, `gradebook.db`, formgrader, feedback and export are exactly
what nbgrader would have, and only the grading parent process ever writes them.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .course import Course, GradingError


def _config(course: Course, assignment: str, student: str, submitted_rel: str):
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
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
    # nbgrader checks each notebook's cell metadata twice by default. Here every graded cell's
    # metadata is a copy of the trusted template's (rebuild.py), and the cells a trainee added have
    # none, so nbgrader's own check runs once per batch on the template instead (check_template).
    c.Autograde.sanitize_preprocessors = [DeduplicateIds, OverwriteKernelspec, OverwriteCells]
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


def warm() -> None:
    """Import nbgrader's scoring (most of a second of CPU) before the first record needs it."""
    import nbgrader.api
    import nbgrader.converters
    import nbgrader.nbgraderformat  # noqa: F401


def check_template(notebook: Any) -> None:
    """nbgrader's own metadata check (its CheckCellMetadata step), on the template that every
    rebuilt notebook takes its graded cells from: once per batch, not once per submission."""
    from nbgrader.nbgraderformat import (
        MetadataValidator,
        SchemaTooNewError,
        SchemaTooOldError,
        ValidationError,
    )

    try:
        MetadataValidator().validate_nb(notebook)
    except (ValidationError, SchemaTooOldError, SchemaTooNewError) as exc:
        raise GradingError(
            f"the assignment's nbgrader metadata does not validate ({exc}); "
            "generate the assignment again with `smartseoul grade release`."
        ) from exc


class _SharedEngines:
    """Hands nbgrader one database engine per gradebook while a batch records, and checks its
    tables once.

    nbgrader opens a new `Gradebook` about nine times per recorded submission. Each one opens a
    new SQLAlchemy engine, which compiles every query again, and asks the database for each of
    its thirteen tables (creating any that is missing). Sharing one engine for the batch halves
    the cost of a record; once nbgrader has checked the tables on that engine, they stay there
    for the rest of the batch, so the later checks are skipped (a sixth of what is left).
    Installed at the first record (that is when nbgrader is imported); after the batch nbgrader
    has back exactly what it had."""

    def __init__(self) -> None:
        self.engines: dict[tuple, Any] = {}
        self.checked: set[Any] = set()  # engines whose tables nbgrader has checked in this batch
        self.original: dict[str, Any] = {}

    def install(self) -> None:
        import nbgrader.api

        if not self.original:
            metadata = vars(nbgrader.api.Base.metadata)
            self.original = {
                "create_engine": nbgrader.api.create_engine,
                "inspect": nbgrader.api.inspect,
                "create_all": metadata.get("create_all"),  # an enclosing batch's, if any
            }
            nbgrader.api.create_engine = self.engine
            nbgrader.api.inspect = self.inspect
            metadata["create_all"] = self.create_all  # shadows the method, see close

    def engine(self, url: Any, **kwargs: Any) -> Any:
        key = (str(url), tuple(sorted(kwargs.items())))
        if key not in self.engines:
            self.engines[key] = self.original["create_engine"](url, **kwargs)
        return self.engines[key]

    def inspect(self, engine: Any) -> Any:
        """What `Gradebook()` asks first: are there tables yet? (Then it creates the missing ones.)"""
        if engine in self.checked:
            return _KnownTables()
        return self.original["inspect"](engine)

    def create_all(self, bind: Any = None, **kwargs: Any) -> None:
        if bind in self.checked:
            return
        import nbgrader.api

        metadata = nbgrader.api.Base.metadata
        type(metadata).create_all(metadata, bind=bind, **kwargs)
        self.checked.add(bind)

    def close(self) -> None:
        if self.original:
            import nbgrader.api

            nbgrader.api.create_engine = self.original["create_engine"]
            nbgrader.api.inspect = self.original["inspect"]
            metadata = vars(nbgrader.api.Base.metadata)
            metadata.pop("create_all", None)
            if self.original["create_all"] is not None:
                metadata["create_all"] = self.original["create_all"]
        for engine in self.engines.values():
            engine.dispose()
        self.engines.clear()
        self.checked.clear()


class _KnownTables:
    """The answer of an inspection already made in this batch: nbgrader's tables are there."""

    def get_table_names(self) -> list[str]:
        import nbgrader.api

        return sorted(nbgrader.api.Base.metadata.tables)


_shared: _SharedEngines | None = None


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """The records and reviews of one batch share their database engines (see _SharedEngines).
    Only for the span of a batch: a gradebook file removed later must not keep an open engine."""
    global _shared
    previous, _shared = _shared, _SharedEngines()
    try:
        yield
    finally:
        _shared.close()
        _shared = previous


def _share_engines() -> None:
    if _shared is not None:
        _shared.install()


_NOT_IN_SESSION = r"Object of type <\w+> not in session, add operation along"


def record(course: Course, assignment: str, student: str, submitted_rel: str) -> None:
    """Score `<root>/<submitted_rel>/<student>/<assignment>/*.ipynb` (already executed) into the
    gradebook and `autograded/`, with nbgrader's own scoring."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    _share_engines()
    c = _config(course, assignment, student, submitted_rel)
    coursedir = CourseDirectory(config=c)
    app = Autograde(coursedir=coursedir, config=c)
    app.log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            # nbgrader builds a new submission's rows through relationships and adds them to the
            # session itself; SQLAlchemy 2 warns that it no longer adds them along the way. The
            # scores are nbgrader's either way, and an instructor should not read this as an error.
            warnings.filterwarnings("ignore", message=_NOT_IN_SESSION)
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

    _share_engines()
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
