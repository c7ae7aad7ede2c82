"""Grading tests run on a disposable copy of a small course: the fixture assignment
`ps-fixture` (tests/grading/fixtures/exercises), released once per session with real nbgrader.
The real grading/ state of the checkout is never touched."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for grading_helpers (import-mode=importlib)

from grading_helpers import ASSIGNMENT, new_course


@pytest.fixture(scope="session")
def released_course(tmp_path_factory) -> Path:
    from smartseoul.grading.course import Course
    from smartseoul.grading.release import release

    base = new_course(tmp_path_factory.mktemp("released") / "course")
    release(Course.at(base), ASSIGNMENT)
    return base


@pytest.fixture()
def course(released_course: Path, tmp_path: Path):
    """A fresh copy of the released course for one test."""
    from smartseoul.grading.course import Course

    target = tmp_path / "course"
    shutil.copytree(released_course, target, symlinks=True)
    return Course.at(target)
