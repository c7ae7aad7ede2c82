"""Where the course lives on disk, so notebooks, tests and the CLI agree on one place."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "SMARTSEOUL_HOME"
_MARKER = Path("datasets") / "datapackage.json"


def course_root() -> Path:
    """The course checkout: $SMARTSEOUL_HOME, else the nearest parent of the working directory
    that holds datasets/ or pyproject.toml, else the checkout this package was installed from."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / _MARKER).exists() or (
            (candidate / "pyproject.toml").exists() and (candidate / "src" / "smartseoul").is_dir()
        ):
            return candidate
    # editable install: src/smartseoul/paths.py -> repo root
    return Path(__file__).resolve().parents[2]


def datasets_dir() -> Path:
    return course_root() / "datasets"


def grading_dir() -> Path:
    return course_root() / "grading"


def exercises_dir() -> Path:
    return course_root() / "exercises"


def modules_dir() -> Path:
    return course_root() / "modules"
