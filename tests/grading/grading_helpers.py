"""Helpers shared by the grading tests (fixture course, synthetic batches, totals)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ASSIGNMENT = "ps-fixture"


def new_course(base: Path) -> Path:
    """A course folder: grading/ with the checkout's nbgrader_config.py, exercises/ with the fixture."""
    (base / "grading").mkdir(parents=True)
    shutil.copy2(ROOT / "grading" / "nbgrader_config.py", base / "grading" / "nbgrader_config.py")
    shutil.copytree(FIXTURES / "exercises", base / "exercises")
    return base


def write_batch(course, kinds, folder: Path, **kw):
    """Synthetic submissions for the fixture, plus a roster; returns {student: kind}."""
    from smartseoul.testing import submissions

    maker = submissions.Maker(course, ASSIGNMENT)
    pairs = submissions.write_batch(maker, list(kinds), folder, **kw)
    return dict(pairs), folder.parent / f"{folder.name}-roster.csv"


def totals(course) -> dict[str, float]:
    from smartseoul.grading import gradebook

    out: dict[str, float] = {}
    for row in gradebook.scores(course, ASSIGNMENT):
        out[row["student"]] = out.get(row["student"], 0.0) + row["score"]
    return out


def autograde_command(course, assignment: str, *options: str) -> list[str]:
    """`smartseoul grade --course ROOT autograde ASSIGNMENT OPTIONS`, as a trainee-free subprocess runs it."""
    return [
        sys.executable,
        "-m",
        "smartseoul.cli",
        "grade",
        "--course",
        str(course.root),
        "autograde",
        assignment,
        *options,
    ]
