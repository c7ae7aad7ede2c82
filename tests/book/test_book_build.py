"""Build the whole book (notebooks executed, warnings as errors) and audit the HTML.

These tests get stricter as content arrives: every module page, exercise and dataset that
exists must be in the book."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from smartseoul.book import audit, toc

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.book, pytest.mark.slow, pytest.mark.xdist_group("book")]


def test_book_builds_with_no_warning_and_no_notebook_error(built_book):
    tail = "\n".join(built_book.output.strip().splitlines()[-60:])
    assert built_book.ok, f"jupyter-book build -W failed:\n{tail}"
    # -W stops at the first warning; make sure none slipped through as plain text either
    warnings = [
        line
        for line in built_book.output.splitlines()
        if re.search(r": WARNING:|Warning, treated as error", line)
    ]
    assert not warnings, "\n".join(warnings[:20])
    assert (built_book.html / "index.html").is_file()


def _content_pages() -> set[str]:
    """Pages that exist and belong in the book: module pages, the book's own and generated pages,
    minus what `_config.yml` excludes on purpose (e.g. files notebooks write for the trainee)."""
    import yaml
    from sphinx.util.matching import Matcher

    excluded = Matcher(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["exclude_patterns"])
    pages = set()
    for path in (ROOT / "modules").rglob("*"), (ROOT / "book").rglob("*"):
        for p in path:
            rel = p.relative_to(ROOT).as_posix()
            if (
                p.suffix in (".md", ".ipynb")
                and not any(part.startswith(".") for part in p.parts)
                and not excluded(rel)
            ):
                pages.add(rel[: -len(p.suffix)])
    return pages


def test_every_page_is_in_the_toc_and_in_the_html(built_book, html_dir):
    # the toc this build used (book/_generated/_toc.yml may since have been rewritten by another build)
    built = toc.toc_docnames(built_book.prepared.toc, ROOT)
    missing_from_toc = sorted(_content_pages() - set(built))
    assert not missing_from_toc, (
        f"pages that exist but are not in the book (add them to _toc.yml, or give the module an "
        f"index.md): {missing_from_toc}"
    )
    assert not audit.missing_pages(html_dir, built), "toc pages with no HTML page"
    assert len(built) >= 10


def test_every_exercise_and_dataset_has_a_page(html_dir):
    from smartseoul.book.student import source_notebooks

    for assignment in source_notebooks(ROOT):
        page = html_dir / "book" / "_generated" / "exercises" / f"{assignment}.html"
        assert page.is_file(), f"no student version of {assignment} in the book"
    pkg = json.loads((ROOT / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
    for dataset in {r.get("dataset") or r["name"] for r in pkg["resources"]}:
        page = html_dir / "book" / "_generated" / "data" / f"{dataset}.html"
        assert page.is_file(), f"no data-catalogue page for {dataset}"
        text = audit.page_text(page)
        assert "Korean name" in text and "Preview" in text, f"{dataset}: field table or preview missing"
        assert re.search(r"synthetic|derived|factual", text, re.I), f"{dataset}: provenance not stated"


def test_every_image_has_meaningful_alt_text(html_dir):
    images = [img for page in audit.html_pages(html_dir) for img in audit._collect(page).images]
    assert len(images) >= 3, "expected the data-catalogue figures at least"
    problems = audit.images_without_alt(html_dir)
    assert not problems, "\n".join(problems)


def test_headings_are_in_order(html_dir):
    problems = audit.heading_problems(html_dir)
    assert not problems, "\n".join(problems)


def test_no_notebook_output_is_an_error(html_dir):
    bad = audit.error_outputs(html_dir, ignore=("book/_generated/exercises/",))
    assert not bad, f"pages with error outputs: {bad}"


def test_every_page_declares_its_language(html_dir):
    for page in audit.html_pages(html_dir):
        head = page.read_text(encoding="utf-8")[:600]
        assert re.search(r'<html[^>]*\blang="en"', head), f"{page} has no lang attribute"


def test_notebook_pages_have_launch_and_download_buttons(html_dir):
    """Module notebooks: JupyterHub, Binder and Colab launch buttons and an .ipynb download.
    Student exercises: the download only (they are generated, not files in the repository)."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    hub = config["launch_buttons"]["jupyterhub_url"].rstrip("/")
    notebooks = [
        p
        for p in audit.html_pages(html_dir)
        if (html_dir / "_sources" / p.relative_to(html_dir)).with_suffix(".ipynb").exists()
    ]
    assert notebooks, "no notebook page in the book"
    for page in notebooks:
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(html_dir).as_posix()
        assert re.search(r'href="[^"]*_sources/[^"]+\.ipynb"', text), f"{rel}: no .ipynb download button"
        if rel.startswith("book/_generated/exercises/"):
            assert "mybinder.org" not in text and "colab.research.google.com" not in text, rel
            continue
        assert "mybinder.org/v2/gh/" in text, f"{rel}: no Binder launch button"
        assert "colab.research.google.com/github/" in text, f"{rel}: no Colab launch button"
        assert f"{hub}/hub/user-redirect/git-pull" in text, f"{rel}: no JupyterHub launch button"
