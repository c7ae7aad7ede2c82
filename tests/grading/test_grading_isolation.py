"""The isolation level is detected, reported by status, and grading still works at the weakest one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grading_helpers import ASSIGNMENT, write_batch

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


def test_detected_level_is_a_known_one():
    from smartseoul.grading import sandbox

    assert sandbox.detect_level() in sandbox.LEVEL_TEXT
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        assert sandbox.detect_level() == "full"


def test_basic_isolation_still_grades_and_says_so(course, tmp_path):
    from smartseoul.grading import intake

    kinds, roster = write_batch(course, ["correct", "processes"], tmp_path / "subs", cell_timeout=3)
    intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)
    env = dict(os.environ, SMARTSEOUL_ISOLATION="basic")
    base = [sys.executable, "-m", "smartseoul.cli", "grade", "--course", str(course.root)]
    run = subprocess.run(base + ["autograde", ASSIGNMENT, "--workers", "2", "--cell-timeout", "3", "--notebook-timeout", "20"],
                         env=env, capture_output=True, text=True, timeout=300)
    out = " ".join(run.stdout.split())
    assert run.returncode == 0, run.stdout + run.stderr
    assert "isolation: basic" in out and "NO network" in out
    assert "2 graded (1 flagged)" in out
    st = subprocess.run(base + ["status", ASSIGNMENT], env=env, capture_output=True, text=True, timeout=120)
    text = " ".join(st.stdout.split())
    assert st.returncode == 0 and "in 2 = out 2" in text and "isolation: basic" in text
