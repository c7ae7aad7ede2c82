"""`make test` passes wherever a newcomer clones the repository, also inside a private folder
(a 0750 home, a `mktemp -d` folder): the tests that run code as other Unix accounts (trainees,
the grading sandbox's kernels) must still reach the checkout and its Python.

In a private mount namespace, this checkout's parent folder becomes a 0700 folder holding only
the checkout, exactly as for a clone in `mktemp -d`; the exchange round trip (two trainee
accounts) and the grading of a real assignment (sandboxed kernels under their own uid) must
pass there. The control shows the failure the workaround
prevents: without it, a trainee account cannot run the course's Python at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smartseoul.testing import lab

ROOT = Path(__file__).resolve().parents[2]
REASON = lab.can_manage_accounts()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("lab-exchange"),
    pytest.mark.skipif(REASON is not None, reason=f"private-checkout test skipped: {REASON}"),
]

PRIVATE_PARENT = """
import os, sys
from smartseoul.grading.filesystem import MS_BIND, MS_REC, _mount
root = sys.argv[1]
parent = os.path.dirname(root)
fd = os.open(root, os.O_PATH)
_mount("none", parent, "tmpfs", 0, "mode=700")
os.makedirs(root, exist_ok=True)
_mount(f"/proc/self/fd/{fd}", root, "", MS_BIND | MS_REC, "")
os.chdir(root)
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


def _in_private_parent(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--",
        sys.executable,
        "-c",
        PRIVATE_PARENT,
        str(ROOT),
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)


def test_accounts_and_sandboxes_reach_a_checkout_in_a_0700_folder():
    """The two tests that run code as other accounts: trainees (the exchange round trip) and the
    grading sandbox's kernels and judge (a real assignment, reading the checkout's datasets/)."""
    run = _in_private_parent(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/lab/test_exchange.py",
        "tests/exercises/test_invariants.py::test_pipeline_scores_equal_plain_nbgrader[m0-orientation]",
    )
    tail = (run.stdout + run.stderr)[-3000:]
    assert run.returncode == 0 and "2 passed" in run.stdout, tail


def test_control_without_the_workaround_trainees_cannot_run_the_course_python(tmp_path):
    import os

    probe = (
        "import sys, secrets, tempfile\n"
        "from smartseoul.testing import lab\n"
        "user = 'ssdl-p-' + secrets.token_hex(3)\n"
        "home = lab.shared_tempdir('smartseoul-private-')\n"
        "lab.create_trainee(user, home / user)\n"
        "try:\n"
        "    lab.trainee_python(user, home)\n"
        "    print('RAN')\n"
        "except lab.LabError as exc:\n"
        "    print('REFUSED', exc)\n"
        "finally:\n"
        "    lab.remove_trainee(user)\n"
    )
    on = _in_private_parent("-c", probe)
    off = _in_private_parent("-c", probe, env={**os.environ, "SMARTSEOUL_LAB_NO_EXPOSE": "1"})
    assert "RAN" in on.stdout, on.stdout + on.stderr
    assert "REFUSED" in off.stdout and "cannot run this course's Python" in off.stdout, (
        off.stdout + off.stderr
    )
