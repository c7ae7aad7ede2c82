"""`smartseoul lab` (what `make lab` runs): JupyterLab at the course root,
started from grading/ so the formgrader sees the course's assignments, figures inline."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smartseoul.testing import lab

from .conftest import all_course_assignments, module_zero_notebook


def test_the_command_has_one_root_and_inline_figures(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")  # as the Makefile exports it
    command, cwd, env = lab.make_lab_command(["--no-browser"])
    roots = [
        a
        for a in command
        if a.startswith(("--ServerApp.root_dir", "--notebook-dir", "--ServerApp.notebook_dir"))
    ]
    assert len(roots) == 1, f"JupyterLab refuses two root options: {roots}"
    assert cwd.name == "grading" and (cwd / "nbgrader_config.py").exists()
    assert env["MPLBACKEND"] == "module://matplotlib_inline.backend_inline"
    assert command[-1] == "--no-browser"
    assert ("--allow-root" in command) == (os.geteuid() == 0)


@pytest.mark.slow
@pytest.mark.xdist_group("lab-make")
def test_make_lab_serves_the_course_and_its_formgrader(tmp_path):
    course = tmp_path / "course"
    assignments = all_course_assignments()
    lab.copy_course(course, assignments, module_notebooks=[module_zero_notebook()])
    port, token = lab.free_port(), "make-lab-test"
    env = {
        **os.environ,
        "SMARTSEOUL_HOME": str(course),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "smartseoul"),
            "lab",
            "--no-browser",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            "--ServerApp.ip=127.0.0.1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = lab.LabServer(
        f"http://127.0.0.1:{port}", token, process, tmp_path / "none.log", course, course / "grading"
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                server.get_json("api/status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = (
                        process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
                    )
                    pytest.fail(f"`smartseoul lab` did not serve JupyterLab:\n{output[-3000:]}")
                time.sleep(0.5)
        top = {item["name"] for item in server.get_json("api/contents/")["content"]}
        assert {"modules", "grading", "exercises"} <= top, f"JupyterLab's root is not the course: {top}"
        listed = {a["name"] for a in server.get_json("formgrader/api/assignments", timeout=120)}
        assert {a.name for a in assignments} <= listed, f"the formgrader lists {sorted(listed)}"
    finally:
        lab.stop_process_group(process)
