"""One book build per test session, shared by the build, leak and browser tests.

All tests that use `built_book` carry `xdist_group("book")`, so under `pytest -n 2 --dist
loadgroup` they run on one worker and the book is built once. The build goes to the course's
`_build/pytest-book/` (not `make book`'s `_build/html`, so a build you run at the same time is
not disturbed; kept between runs, so its notebook cache makes reruns fast); set
SMARTSEOUL_BOOK_TEST_OUTPUT to build somewhere else.

The build is English plus the translations the tests open (TEST_LANGUAGES, in `_build/html/<lang>/`,
sharing the English build's execution cache): tests/i18n checks them, and the English pages'
language switcher links to them."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: the translated books built with the English one: a left-to-right and the right-to-left language
TEST_LANGUAGES = ["ru", "ar"]


@pytest.fixture(scope="session")
def built_book():
    from smartseoul.book import run_build
    from smartseoul.cli import data_ensure

    data_ensure()  # a fresh clone has no datasets yet
    out = Path(os.environ.get("SMARTSEOUL_BOOK_TEST_OUTPUT") or ROOT / "_build" / "pytest-book")
    out.mkdir(parents=True, exist_ok=True)
    messages: list[str] = []
    # one build at a time in this folder, even if two test sessions start together
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run_build(
            root=ROOT, output=out, capture=True, echo=messages.append, languages=TEST_LANGUAGES
        )
    result.output = "\n".join(messages) + "\n" + result.output
    return result


@pytest.fixture(scope="session")
def html_dir(built_book) -> Path:
    if not built_book.ok:
        tail = "\n".join(built_book.output.strip().splitlines()[-40:])
        pytest.fail(f"the book did not build, so its pages cannot be checked:\n{tail}")
    return built_book.html
