"""Student versions of the assignments, made by the real `nbgrader generate_assignment`."""

from __future__ import annotations

from .course import Course, GradingError, nbgrader


def release(course: Course, assignment: str) -> list[str]:
    """Generate `grading/release/<assignment>/` (solutions and hidden tests removed) and record
    the assignment, its cells and points in the gradebook. Re-running regenerates it."""
    course.check_assignment(assignment)
    nbgrader(course, "generate_assignment", assignment, "--force", "--log-level=WARN")
    out = course.release_dir(assignment)
    made = sorted(p.name for p in out.glob("*.ipynb"))
    if not made:
        raise GradingError(
            f"nbgrader wrote no notebook to {out}: is {course.source_dir(assignment)} an nbgrader source folder?"
        )
    return made


def release_all(course: Course) -> dict[str, list[str]]:
    names = course.assignments()
    if not names:
        raise GradingError(
            f"no assignments in {course.exercises}: add exercises/<assignment>/<assignment>.ipynb first."
        )
    return {a: release(course, a) for a in names}


def ensure_released(course: Course, assignment: str) -> None:
    """Release once if the gradebook or the student version is missing (intake and autograde need both)."""
    rel = course.release_dir(assignment)
    if not (course.grading / "gradebook.db").exists() or not any(rel.glob("*.ipynb")):
        release(course, assignment)
