"""JupyterLab for the course: `smartseoul lab` (what `make lab` runs).

JupyterLab opens at the course checkout and nbgrader reads `grading/nbgrader_config.py`, so the
Formgrader and Assignments views work. What only tests need (a throw-away server, trainee
accounts, a course copy) is in `smartseoul.testing.lab`."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import paths
from .nbgrader_runner import course_environ


class LabError(RuntimeError):
    """JupyterLab or the exchange could not be set up; the message says what to do."""


def lab_settings_overrides() -> dict[str, dict]:
    """JupyterLab settings for unattended and classroom use: no news or update pop-ups (there is
    no internet on many training laptops), the notebook's own kernel started without asking,
    and no autosave while a test runs a notebook."""
    return {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    }


def lab_command(root_dir: Path, *, port: int, token: str) -> list[str]:
    """The `jupyter lab` command line: bound to 127.0.0.1, no browser, no port hopping
    (and ``--allow-root`` where it must run as root, as in CI containers)."""
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=",
        *as_root,
    ]


# --------------------------------------------------------------------------- `make lab`


def make_lab_command(extra_args: Sequence[str] = ()) -> tuple[list[str], Path, dict[str, str]]:
    """What `make lab` runs: JupyterLab with the course checkout as its root, started from
    grading/ so nbgrader (formgrader, Assignments panel) reads grading/nbgrader_config.py.

    Returns (command, working directory, environment). Figures show inline even when the caller
    exported MPLBACKEND=Agg (the Makefile does, for tests); root (a container) gets --allow-root."""
    root = paths.course_root()
    grading = paths.grading_dir()
    if not (grading / "nbgrader_config.py").exists():
        raise LabError(
            f"{grading / 'nbgrader_config.py'} is missing: run this from the course checkout "
            "(or set SMARTSEOUL_HOME to it)"
        )
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    command += list(extra_args)
    env = course_environ({"MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    return command, grading, env


def start(extra_args: Sequence[str] = ()) -> None:
    """Replace this process with JupyterLab for the course (`smartseoul lab [options]`)."""
    try:
        command, cwd, env = make_lab_command(extra_args)
    except LabError as err:
        print(f"smartseoul lab: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f">> JupyterLab at {command[3].split('=', 1)[1]} (nbgrader course folder: {cwd})", flush=True)
    os.chdir(cwd)
    os.execve(command[0], command, env)
