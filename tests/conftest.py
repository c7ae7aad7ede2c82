"""Shared fixtures: the course checkout and a disposable copy of its datasets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def course_root() -> Path:
    return ROOT


@pytest.fixture()
def datasets_copy(tmp_path: Path) -> Path:
    """A copy of datasets/ that a test may damage without touching the real one."""
    target = tmp_path / "datasets"
    shutil.copytree(ROOT / "datasets", target)
    return target
