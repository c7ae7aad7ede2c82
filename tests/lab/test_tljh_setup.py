"""setup-course.sh on a stand-in for The Littlest JupyterHub: real Unix accounts, a fake TLJH
user environment (its python is this one), fake `tljh-config`. Checks what the script promises
about grading: a trainee can read none of the course's git history, exercises, tools or tests;
the instructor gets a `smartseoul-grade` command that grades as root (isolation `full`) on
their own course, with a sudo rule for that command only."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from smartseoul.testing import lab

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "grading" / "jupyterhub" / "tljh" / "setup-course.sh"
REASON = lab.can_manage_accounts()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("lab-tljh"),
    pytest.mark.skipif(REASON is not None, reason=f"TLJH set-up test skipped: {REASON}"),
]


def _fake_tljh(base: Path) -> dict[str, str]:
    user_env = base / "tljh-user"
    (user_env / "bin").mkdir(parents=True)
    (user_env / "bin" / "pip").write_text("#!/bin/sh\nexit 0\n")  # the course is already installed here
    (user_env / "bin" / "python").write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    tools = base / "bin"
    tools.mkdir()
    (tools / "tljh-config").write_text(
        '#!/bin/sh\necho tljh-config "$@" >> "$(dirname "$0")/tljh-config.log"\n'
    )
    for f in (user_env / "bin" / "pip", user_env / "bin" / "python", tools / "tljh-config"):
        f.chmod(0o755)
    return {
        "TLJH_USER_ENV": str(user_env),
        "TLJH_CONFIG_DIR": str(base / "tljh-config"),
        "SMARTSEOUL_EXCHANGE_ROOT": str(base / "exchange"),
        "SMARTSEOUL_SBIN": str(base / "sbin"),
        "SMARTSEOUL_SUDOERS_D": str(base / "sudoers.d"),
        "PATH": f"{tools}:{os.environ['PATH']}",
    }


def test_setup_keeps_solutions_private_and_grades_at_full(tmp_path):
    work = lab.shared_tempdir("smartseoul-tljh-")
    tag = secrets.token_hex(3)
    instructor, trainee = f"jupyter-ssi{tag}", f"jupyter-sst{tag}"
    created = []
    try:
        repo = work / "checkout"
        subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(repo)], check=True)
        shutil.copytree(ROOT / "datasets", repo / "datasets", dirs_exist_ok=True)
        shutil.copytree(
            ROOT / "grading" / "jupyterhub", repo / "grading" / "jupyterhub", dirs_exist_ok=True
        )  # as edited
        for tree in (repo, repo / ".git"):
            tree.chmod(0o755)
        for user in (instructor, trainee):
            lab.create_trainee(user, work / "home" / user)
            created.append(user)
        env = {**os.environ, **_fake_tljh(work)}
        script = repo / SCRIPT.relative_to(ROOT)  # the checkout's own copy: it locks down that checkout
        run = subprocess.run(
            ["bash", str(script), instructor[len("jupyter-") :]],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        course = work / "home" / instructor / "smart-seoul-data-lab"
        assert (course / "exercises").is_dir()

        # a trainee can read no solution, hidden test or history, in the copy or in the checkout
        for target in (
            course / ".git" / "HEAD",
            course / "exercises",
            course / "tests",
            repo / ".git" / "HEAD",
            repo / ".git" / "objects",
        ):
            probe = subprocess.run(
                ["runuser", "-u", trainee, "--", "ls", "-la", str(target)], capture_output=True, text=True
            )
            assert probe.returncode != 0, f"{trainee} can read {target}:\n{probe.stdout}"
        # ... while the grading sandbox's kernel (any other user) still reaches the data
        probe = subprocess.run(
            [
                "runuser",
                "-u",
                trainee,
                "--",
                "head",
                "-c",
                "10",
                str(course / "datasets" / "datapackage.json"),
            ],
            capture_output=True,
            text=True,
        )
        assert probe.returncode == 0, probe.stderr

        # the instructor's grading command: one sudo rule, for that command only
        rule = (work / "sudoers.d" / "smartseoul-grade").read_text()
        assert rule.strip() == f"{instructor} ALL=(root) NOPASSWD: {work / 'sbin' / 'smartseoul-grade'}"
        assert oct((work / "sudoers.d" / "smartseoul-grade").stat().st_mode & 0o777) == "0o440"
        wrapper = str(work / "sbin" / "smartseoul-grade")
        refused = subprocess.run(
            [wrapper, "autograde", "x", "--course", "/etc"], capture_output=True, text=True
        )
        assert refused.returncode == 2 and "fixed" in refused.stdout
        refused = subprocess.run([wrapper, "shell"], capture_output=True, text=True)
        assert refused.returncode == 2
        status = subprocess.run(
            [wrapper, "release", "m0-orientation"], capture_output=True, text=True, timeout=300
        )
        assert status.returncode == 0, status.stdout + status.stderr
        owner = {p.owner() for p in (course / "grading").rglob("*")}
        assert owner == {instructor}, owner  # what root wrote is handed back to the instructor
        from smartseoul.grading import sandbox

        if (
            sandbox.possible_level() == "full"
        ):  # the wrapper runs as root: full isolation, required by default
            st = subprocess.run(
                [wrapper, "autograde", "m0-orientation"], capture_output=True, text=True, timeout=300
            )
            assert st.returncode == 0 and "isolation: full" in " ".join(st.stdout.split()), (
                st.stdout + st.stderr
            )
    finally:
        for user in created:
            lab.remove_trainee(user)
        shutil.rmtree(work, ignore_errors=True)
