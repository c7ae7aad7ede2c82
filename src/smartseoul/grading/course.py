"""Where an nbgrader course lives and how to call nbgrader on it, so every step agrees.

The course root for nbgrader is `grading/`; the source notebooks live in `../exercises`
(set in grading/nbgrader_config.py). Pipeline state (journals, executed notebooks, results)
lives in `grading/.pipeline/<assignment>/`, which the sandbox hides from submissions.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..nbgrader_runner import NbgraderFailed, run_nbgrader

PUBLIC_DIRS = (".venv", "venv", "src", "datasets")  # visible (read-only) to a submission's kernel
STATE_DIRS = (
    "submitted",
    "autograded",
    "feedback",
    "release",
    "intake",
    "exports",
    "reports",
    "work",
    ".pipeline",
)


class GradingError(Exception):
    """A problem the instructor can fix; the message says how."""


@dataclass(frozen=True)
class Course:
    """An nbgrader course: `grading` is nbgrader's root, `exercises` holds the source notebooks."""

    grading: Path
    exercises: Path

    @classmethod
    def default(cls) -> Course:
        return cls(paths.grading_dir().resolve(), paths.exercises_dir().resolve())

    @classmethod
    def at(cls, root: Path | str) -> Course:
        """The course whose checkout (with grading/ and exercises/) is `root`."""
        root = Path(root).resolve()
        return cls(root / "grading", root / "exercises")

    @property
    def root(self) -> Path:
        return self.grading.parent

    @property
    def course_id(self) -> str:
        """nbgrader's course id, as this course's nbgrader_config.py (or the environment) sets it."""
        from ..settings import load

        return load(self.grading).course_id

    @property
    def db_url(self) -> str:
        return "sqlite:///" + str(self.grading / "gradebook.db")

    def config_file(self) -> Path:
        cfg = self.grading / "nbgrader_config.py"
        if not cfg.exists():
            raise GradingError(f"{cfg} is missing: copy grading/nbgrader_config.py from the course checkout.")
        return cfg

    # --- assignments -------------------------------------------------------------------
    def assignments(self) -> list[str]:
        """Every folder of exercises/ that holds at least one notebook, sorted."""
        if not self.exercises.is_dir():
            return []
        return sorted(
            d.name
            for d in self.exercises.iterdir()
            if d.is_dir() and not d.name.startswith((".", "_")) and any(d.glob("*.ipynb"))
        )

    def check_assignment(self, assignment: str) -> str:
        if assignment not in self.assignments():
            known = ", ".join(self.assignments()) or "none yet"
            raise GradingError(
                f"no assignment '{assignment}' in {self.exercises} (known: {known}). "
                "Check the name, or add exercises/<assignment>/<assignment>.ipynb."
            )
        return assignment

    def source_dir(self, assignment: str) -> Path:
        return self.exercises / assignment

    def release_dir(self, assignment: str) -> Path:
        return self.grading / "release" / assignment

    def submitted_dir(self, student: str, assignment: str) -> Path:
        return self.grading / "submitted" / student / assignment

    def autograded_dir(self, student: str, assignment: str) -> Path:
        return self.grading / "autograded" / student / assignment

    def feedback_dir(self, student: str, assignment: str) -> Path:
        return self.grading / "feedback" / student / assignment

    def pipeline_dir(self, assignment: str) -> Path:
        d = self.grading / ".pipeline" / assignment
        d.mkdir(parents=True, exist_ok=True)
        return d

    def notebook_names(self, assignment: str) -> list[str]:
        """Notebook names (without .ipynb) of an assignment, from its source folder."""
        return sorted(p.stem for p in self.source_dir(assignment).glob("*.ipynb"))

    def submitted_students(self, assignment: str) -> list[str]:
        base = self.grading / "submitted"
        if not base.is_dir():
            return []
        return sorted(d.name for d in base.iterdir() if (d / assignment).is_dir())

    def hidden_paths(self) -> list[Path]:
        """Folders a submission must never see: everything in the course checkout (this one and
        the installed one) except what a notebook needs to run: .venv, src and datasets."""
        out = [self.grading, self.exercises]
        for root in {self.root.resolve(), paths.course_root().resolve()}:
            if root.is_dir() and root != Path("/"):
                out += [d for d in sorted(root.iterdir()) if d.is_dir() and d.name not in PUBLIC_DIRS]
        seen: list[Path] = []
        for p in out:
            p = p.resolve()
            if p.is_dir() and p not in seen:
                seen.append(p)
        return seen


def nbgrader(
    course: Course, *args: str, check: bool = True, quiet: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the real `nbgrader` command in the course root (its config file is read from there)."""
    course.config_file()
    try:
        return run_nbgrader(args, cwd=course.grading, check=check)
    except NbgraderFailed as exc:
        raise GradingError(str(exc)) from None
