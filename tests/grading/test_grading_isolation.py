"""The isolation level is detected, reported by status, and grading still works at the weakest one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from grading_helpers import ASSIGNMENT, autograde_command, write_batch

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


def test_detected_level_is_a_known_one():
    from smartseoul.grading import sandbox

    assert sandbox.detect_level() in sandbox.LEVEL_TEXT
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        assert sandbox.detect_level() == "full"


def test_basic_isolation_still_grades_and_says_so(course, tmp_path):
    from smartseoul.grading import intake

    _kinds, roster = write_batch(course, ["correct", "processes"], tmp_path / "subs", cell_timeout=3)
    intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)
    env = dict(os.environ, SMARTSEOUL_ISOLATION="basic")
    base = [sys.executable, "-m", "smartseoul.cli", "grade", "--course", str(course.root)]
    run = subprocess.run(
        base
        + [
            "autograde",
            ASSIGNMENT,
            "--workers",
            "2",
            "--cell-timeout",
            "3",
            "--notebook-timeout",
            "20",
            "--require-isolation",
            "basic",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = " ".join(run.stdout.split())
    assert run.returncode == 0, run.stdout + run.stderr
    assert "isolation: basic" in out and "NO network" in out
    assert "2 graded (1 flagged)" in out
    st = subprocess.run(base + ["status", ASSIGNMENT], env=env, capture_output=True, text=True, timeout=120)
    text = " ".join(st.stdout.split())
    assert st.returncode == 0 and "in 2 = out 2" in text and "isolation used: basic" in text
    # status reports the level each submission was graded at, not what this machine offers now
    st = subprocess.run(base + ["status", ASSIGNMENT, "--json"], capture_output=True, text=True, timeout=120)
    data = json.loads(st.stdout)
    assert data["balanced"] and data["received"] == 2
    assert {r["isolation"] for r in data["submissions"]} == {"basic"}
    assert {r["state"] for r in data["submissions"]} == {"graded", "graded-with-flags"}


def test_require_isolation_refuses_below_the_level_asked_for(course, tmp_path):
    """Simulated: SMARTSEOUL_ISOLATION=basic stands for a machine where only `basic` is possible."""
    from smartseoul.grading import intake

    _kinds, roster = write_batch(course, ["correct"], tmp_path / "subs", cell_timeout=3)
    intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)
    env = dict(os.environ, SMARTSEOUL_ISOLATION="basic")
    base = autograde_command(course, ASSIGNMENT)
    run = subprocess.run(
        base + ["--require-isolation", "full"], env=env, capture_output=True, text=True, timeout=120
    )
    out = " ".join((run.stdout + run.stderr).split())
    assert run.returncode == 2, out
    assert "Refusing to grade: isolation here is 'basic'" in out and "below the required 'full'" in out
    assert "--require-isolation basic" in out  # the message names the way to accept it knowingly
    assert not list(course.grading.glob("autograded/*")), "nothing may be graded after a refusal"
    if os.geteuid() == 0 and sandbox_full_possible():
        run = subprocess.run(base, env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, "the default demands full wherever full is possible"


def sandbox_full_possible() -> bool:
    from smartseoul.grading import sandbox

    return sandbox.possible_level() == "full"


def test_userns_kernel_is_an_unprivileged_uid_that_cannot_unmount_the_covers(tmp_path):
    """Graded by a non-root instructor account (level `userns`): the kernel runs as uid 1000 in a
    nested user namespace, cannot unmount the tmpfs that hides the instructor's files, and does
    not see them."""
    import shutil

    import nbformat

    from smartseoul.grading.course import Course
    from smartseoul.grading.release import release
    from smartseoul.testing import lab, submissions

    reason = lab.can_manage_accounts()
    if reason:
        pytest.skip(f"needs a second account: {reason}")
    work = lab.shared_tempdir("smartseoul-userns-")
    user = "ssdl-u-" + os.urandom(3).hex()
    try:
        lab.create_trainee(user, work / "home")
        from grading_helpers import new_course

        course = Course.at(new_course(work / "course"))
        release(course, ASSIGNMENT)
        nb = submissions.Maker(course, ASSIGNMENT).correct()
        probe = (
            "import os, ctypes\nprint('UID', os.getuid())\n"
            f"r = ctypes.CDLL(None, use_errno=True).umount2({str(course.grading).encode()!r}, 2)\n"
            "print('UMOUNT', r, os.strerror(ctypes.get_errno()))\n"
            f"print('SEES-GRADEBOOK', os.path.exists({str(course.grading / 'gradebook.db')!r}))\n"
        )
        nb.cells[1].source = probe + nb.cells[1].source
        target = course.submitted_dir("s1", ASSIGNMENT)
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{ASSIGNMENT}.ipynb")
        shutil.chown(work, user)
        subprocess.run(["chown", "-R", f"{user}:{user}", str(work)], check=True)
        probe_level = lab.run_as(
            user,
            [sys.executable, "-c", "from smartseoul.grading import sandbox; print(sandbox.possible_level())"],
            cwd=work,
            env={},
        )
        if probe_level.stdout.strip() != "userns":
            pytest.skip(
                f"unprivileged user namespaces are not available here ({probe_level.stdout.strip() or probe_level.stderr[-200:]})"
            )
        run = lab.run_as(
            user,
            autograde_command(course, ASSIGNMENT, "--workers", "1"),
            cwd=work,
            env={},
            timeout=600,
        )
        out = " ".join(run.stdout.split())
        assert run.returncode == 0, run.stdout + run.stderr
        assert "isolation: userns" in out
        executed = nbformat.read(
            next((course.pipeline_dir(ASSIGNMENT) / "executed").rglob("*.ipynb")), as_version=4
        )
        text = "".join(o.get("text", "") for o in executed.cells[1].outputs)
        assert "UID 1000" in text, text
        assert "UMOUNT -1 Operation not permitted" in text, text
        assert "SEES-GRADEBOOK False" in text, text
    finally:
        lab.remove_trainee(user)
        shutil.rmtree(work, ignore_errors=True)
