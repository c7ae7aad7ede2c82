"""The pinned environment: one lock, used by every install path, and a make that skips work."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, ver = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = ver.strip()
    return pins


# the packages the course stands on, pinned and installed exactly
STACK = ("jupyterlab", "nbgrader", "jupyter-book", "pandas", "geopandas", "matplotlib")


def test_lock_pins_the_stack_exactly():
    pins = _pins()
    for pkg in (*STACK, "pyarrow", "duckdb"):
        assert pkg in pins, f"{pkg} is not pinned in constraints.txt"
    assert pins["nbgrader"].startswith("0.9.")
    assert pins["jupyterlab"].startswith("4.")
    major, minor, *_ = (int(x) for x in re.findall(r"\d+", pins["jupyter-book"])[:3])
    assert (major, minor) >= (1, 0) and major < 2


def test_installed_versions_match_the_lock():
    pins = _pins()
    wrong = {}
    # setuptools: `python -m venv` brings an older one, which the lock must replace (next test)
    for pkg in (*STACK, "shapely", "setuptools"):
        have = metadata.version(pkg)
        if have != pins[pkg]:
            wrong[pkg] = (have, pins[pkg])
    assert not wrong, f"installed != locked: {wrong}; run 'make venv'"


def test_grading_imports_nbgrader_without_pkg_resources():
    """nbgrader imports setuptools; an old setuptools (65, what `python -m venv` brings) imports
    pkg_resources with it, 0.2 s of CPU in every grading command while the workers grade."""
    code = (
        "import sys; from smartseoul.grading import gradebook; gradebook.warm(); "
        "print('pkg_resources' in sys.modules)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False", (
        f"importing nbgrader imported pkg_resources (setuptools {metadata.version('setuptools')}); run 'make venv'"
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_a_second_make_does_not_reinstall():
    """`make -q venv` exits 0 when the install stamp is current, so nothing is reinstalled."""
    res = subprocess.run(["make", "-q", "venv"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, (
        "make would reinstall .venv although pyproject.toml and constraints.txt are unchanged"
    )
    dry = subprocess.run(["make", "-n", "venv"], cwd=ROOT, capture_output=True, text=True)
    assert "pip install" not in dry.stdout


def test_binder_and_make_use_the_same_lock():
    make = (ROOT / "Makefile").read_text()
    assert "-c constraints.txt" in make
    binder = [p for p in (ROOT / "binder", ROOT / ".binder") if p.exists()]
    for folder in binder:
        text = " ".join(f.read_text() for f in folder.iterdir() if f.is_file())
        assert "constraints.txt" in text, f"{folder} does not install from constraints.txt"
