"""Shared pieces of the translation tests: the language table, and the English extracted into POT
files (the Python messages alone in a moment; the whole book through Sphinx's gettext builder
once per session, in the course's _build/gettext, on the worker that builds the book)."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from smartseoul.i18n import catalogs, languages

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def table() -> languages.Table:
    return languages.load(ROOT)


@pytest.fixture(scope="session")
def python_pots(tmp_path_factory) -> dict[str, Path]:
    """smartseoul.pot of the Python code as it is now (Babel, no Sphinx: a second)."""
    from smartseoul.i18n.extract import extract_python

    out = tmp_path_factory.mktemp("pot")
    extract_python(ROOT, out)
    return {languages.PYTHON_CATALOG: out / f"{languages.PYTHON_CATALOG}.pot"}


@pytest.fixture(scope="session")
def pots(tmp_path_factory) -> dict[str, Path]:
    """Every POT file of the English as it is now: `smartseoul i18n extract` (about a minute cold,
    seconds when the doctrees are current), copied for this test session.

    It writes book/_generated/ (as the book build does) and _build/gettext/, so it takes the book
    tests' lock: under xdist another worker may be building the book or extracting at the same
    time, and each worker reads its own copy of the POT files."""
    from smartseoul.cli import data_ensure
    from smartseoul.i18n.extract import extract

    data_ensure()
    book_out = Path(os.environ.get("SMARTSEOUL_BOOK_TEST_OUTPUT") or ROOT / "_build" / "pytest-book")
    book_out.mkdir(parents=True, exist_ok=True)
    copy = tmp_path_factory.mktemp("gettext") / "pot"
    messages: list[str] = []
    with open(book_out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = extract(ROOT, echo=messages.append, capture=True)
        if result.ok:
            shutil.copytree(catalogs.pot_dir(ROOT), copy)
    if not result.ok:
        pytest.fail("smartseoul i18n extract failed:\n" + "\n".join(result.output.splitlines()[-40:]))
    return {p.relative_to(copy).with_suffix("").as_posix(): p for p in sorted(copy.rglob("*.pot"))}
