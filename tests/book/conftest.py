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
#: the translated books built with the English one: a left-to-right and the right-to-left language.
#: SMARTSEOUL_BOOK_TEST_LANGUAGES=all (or es,pt_BR,...) builds and checks more, on demand: the axe
#: run over every book in every language is too long for `make test`.
TEST_LANGUAGES = ["ru", "ar"]


def book_languages() -> list[str]:
    from smartseoul.i18n.languages import load

    asked = os.environ.get("SMARTSEOUL_BOOK_TEST_LANGUAGES", "").strip()
    if not asked:
        return TEST_LANGUAGES
    try:
        return load(ROOT).resolve(asked)
    except KeyError as exc:
        raise pytest.UsageError(f"SMARTSEOUL_BOOK_TEST_LANGUAGES: {exc}") from exc


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, or the test is skipped with what to install (as .ci/run does)."""
    from smartseoul.browser import NO_CHROMIUM, find_chromium

    exe = find_chromium()
    if exe is None:
        pytest.skip(NO_CHROMIUM)
    return exe


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
            root=ROOT, output=out, capture=True, echo=messages.append, languages=book_languages()
        )
    result.output = "\n".join(messages) + "\n" + result.output
    return result


@pytest.fixture(scope="session")
def html_dir(built_book) -> Path:
    if not built_book.ok:
        tail = "\n".join(built_book.output.strip().splitlines()[-40:])
        pytest.fail(f"the book did not build, so its pages cannot be checked:\n{tail}")
    return built_book.html


@pytest.fixture(scope="session")
def page_visits(html_dir, chromium):
    """Every page of the built book in every language it has, each opened once in Chromium with
    an empty cache: weighed and checked by axe-core in the same visit (smartseoul.testing.axe).
    Used by test_book_a11y.py and test_book_weight.py."""
    from smartseoul.book import audit, weight
    from smartseoul.testing import axe

    if axe.axe_script() is None:
        pytest.fail(axe.MISSING)
    pages = weight.book_pages(html_dir)
    for book in audit.translations(html_dir):
        pages += [f"{book.name}/{rel}" for rel in weight.book_pages(book)]
    return axe.visit_pages(html_dir, pages, chromium=chromium, workers=2)
