"""What the pipeline knows about each submission, stored so no step loses or repeats work.

Everything lives in `grading/.pipeline/<assignment>/` and is written atomically (write a temp
file, fsync, rename), so a killed process leaves either the old or the new record, never half:
- `intake.json`: every file intake saw, accepted (with its student and sha256) or rejected (with why);
- `results/<student>.json`: one per graded submission: the sha256 it was graded from, flags,
  per-cell outcomes, and whether it is already recorded in the gradebook. Autograde skips a
  submission whose result matches its current file and is recorded, and only records one that
  was executed but not yet recorded: that is how an interrupted run resumes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from .. import files
from .course import Course


def atomic_write(path: Path, data: bytes) -> None:
    """Grading state is private to the instructor: owner-only, atomic, flushed to disk."""
    files.atomic_write(path, data, fsync=True, private=True)


def write_json(path: Path, obj) -> None:
    atomic_write(path, json.dumps(obj, indent=1, ensure_ascii=False, default=str).encode("utf-8"))


def read_json(path: Path, default=None):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return default


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Ledger:
    """The intake record of one assignment."""

    def __init__(self, course: Course, assignment: str):
        self.path = course.pipeline_dir(assignment) / "intake.json"
        self.data = read_json(self.path, {"files": {}})

    def accept(self, name: str, student: str, sha: str, notebook: str | None = None) -> None:
        """The newest accepted file of a student for a notebook replaces older ones (one each)."""
        for other in [
            k
            for k, v in self.data["files"].items()
            if v["status"] == "accepted" and v["student"] == student and v.get("notebook") in (None, notebook)
        ]:
            del self.data["files"][other]
        self.data["files"][name] = {
            "status": "accepted",
            "student": student,
            "sha256": sha,
            "time": now(),
            "notebook": notebook,
        }

    def reject(self, name: str, student: str | None, reason: str) -> None:
        self.data["files"][name] = {"status": "rejected", "student": student, "reason": reason, "time": now()}

    def save(self) -> None:
        write_json(self.path, self.data)

    def rejected(self) -> dict[str, dict]:
        return {k: v for k, v in self.data["files"].items() if v["status"] == "rejected"}


def results_dir(course: Course, assignment: str) -> Path:
    return course.pipeline_dir(assignment) / "results"


def result_path(course: Course, assignment: str, student: str) -> Path:
    return results_dir(course, assignment) / f"{student}.json"


def load_result(course: Course, assignment: str, student: str) -> dict | None:
    return read_json(result_path(course, assignment, student))


def save_result(course: Course, assignment: str, student: str, result: dict) -> None:
    write_json(result_path(course, assignment, student), result)


def all_results(course: Course, assignment: str) -> dict[str, dict]:
    d = results_dir(course, assignment)
    out = {}
    if d.is_dir():
        for p in sorted(d.glob("*.json")):
            r = read_json(p)
            if r:
                out[p.stem] = r
    return out
