"""The one way this project runs the real `nbgrader` command.

Grading, the book's student versions and the tests all call nbgrader as a subprocess in a course
folder (so it reads that folder's nbgrader_config.py). nbgrader starts helper programs by name
(`alembic`, the kernel), so the course environment's bin/ must come first on PATH; and a failure
must show the end of nbgrader's own output, which says what went wrong.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


class NbgraderFailed(RuntimeError):
    """nbgrader exited with an error; the message ends with the last lines it printed."""


def course_environ(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the course environment's bin/ first on PATH, and a fixed
    hash seed (so reruns give the same outputs); `extra` wins over both."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(
        [bin_dir, *[p for p in env.get("PATH", "").split(os.pathsep) if p and p != bin_dir]]
    )
    env.setdefault("PYTHONHASHSEED", "0")
    env.update(extra or {})
    return env


def nbgrader_command(args: Sequence[str]) -> list[str]:
    """The command line that starts `nbgrader ARGS` in the course environment (for a caller that
    must wrap it, e.g. to run it as another account on the hub)."""
    return [sys.executable, "-m", "nbgrader", *args]


def run_nbgrader(
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run `nbgrader ARGS` in `cwd`; with `check`, raise NbgraderFailed when it fails."""
    result = subprocess.run(
        nbgrader_command(args),
        cwd=cwd,
        env=course_environ(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise NbgraderFailed(f"`nbgrader {' '.join(args)}` failed (exit {result.returncode}):\n{tail}")
    return result
