"""No solution region, hidden test or mark scheme of any exercise reaches the built book,
its text or its search index."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from smartseoul.book import audit

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.book, pytest.mark.slow, pytest.mark.xdist_group("book")]


def _public_sources() -> list[Path]:
    """What a trainee may see: module pages, the book's own pages, the student versions."""
    out = [
        p
        for p in (ROOT / "modules").rglob("*")
        if p.suffix in (".md", ".ipynb") and ".ipynb_checkpoints" not in p.parts
    ]
    out += [p for p in (ROOT / "book").rglob("*") if p.suffix in (".md", ".ipynb")]
    return out


def _public_texts(sources: list[Path]) -> list[str]:
    texts = []
    for p in sources:
        if p.suffix == ".ipynb":
            texts += [c.source for c in nbformat.read(p, as_version=4).cells]
        else:
            texts.append(p.read_text(encoding="utf-8"))
    return texts


@pytest.fixture(scope="module")
def needles(html_dir):
    sources = [p for p in (ROOT / "exercises").glob("*/*.ipynb") if p.parent.name == p.stem]
    if not sources:
        pytest.skip("no nbgrader source notebooks in exercises/ yet: nothing that could leak")
    found = audit.leak_needles(ROOT / "exercises", _public_sources())
    assert found, "the exercises have no solution or hidden-test lines to look for: is the parser broken?"
    return found


def test_no_solution_or_hidden_test_in_the_html_or_search_index(html_dir, needles):
    public = audit.public_stems(_public_texts(_public_sources()))
    leaks = audit.find_leaks(html_dir, needles, public)
    # the translated books (_build/html/<lang>/) show the same code: nothing may leak there either
    for book in audit.translations(html_dir):
        leaks += [f"{book.name}/: {leak}" for leak in audit.find_leaks(book, needles, public)]
    assert not leaks, "\n".join(leaks[:30])


def test_source_notebooks_are_not_built(html_dir):
    assert not (html_dir / "exercises").exists()
    assert not (html_dir / "_sources" / "exercises").exists()
    assert not any(d.startswith("exercises/") for d in audit.search_index(html_dir)["docnames"])


def test_the_leak_check_catches_a_planted_leak(html_dir, needles, tmp_path):
    """The same check on a copy of the site with one hidden-test line and one solution-only word
    planted in it must fail: this test proves the one above can fail."""
    site = tmp_path / "html"
    shutil.copytree(html_dir, site, ignore=shutil.ignore_patterns("_images", "_static", "_sources"))
    page = site / "book" / "exercises.html"
    planted = needles[0]
    page.write_text(
        page.read_text(encoding="utf-8").replace("</article>", f"<pre>{planted.text}</pre></article>"),
        encoding="utf-8",
    )
    leaks = audit.find_leaks(site, [planted])
    assert any("exercises.html" in leak for leak in leaks)
