"""Benchmark of page weight: what a trainee downloads on a first visit to each page of the built
book, and to open module 0 in JupyterLab, measured in Debian's Chromium.

    .venv/bin/python benchmarks/bench_page_weight.py [--html _build/html] [--no-lab]

Weighs the book already built in --html (default _build/html: run `make book` first; each
translated book in it, `_build/html/<lang>/`, is weighed too), then starts a throw-away JupyterLab
with the first module 0 notebook and weighs that. Prints one table per book and one for
JupyterLab; exits 1 if a book page is over the budget or anything asks for a resource outside the
machine. Target: every book page under 1.5 MB as a compressing web server sends it
(smartseoul.book.weight.BUDGET_BYTES)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from smartseoul import paths  # noqa: E402
from smartseoul.book import audit, weight  # noqa: E402


def weigh_jupyterlab() -> weight.PageWeight:
    """Module 0's first notebook, opened in a JupyterLab started the way `make lab` starts it."""
    from playwright.sync_api import sync_playwright

    from smartseoul.testing import lab

    notebook = sorted((paths.modules_dir() / "00-orientation").glob("00a-*.ipynb"))[0]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        grading = lab.copy_course(root, [], module_notebooks=[notebook])
        with (
            lab.running_lab(root, cwd=grading, state_dir=Path(tmp) / "state") as server,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=str(lab.find_chromium()), args=lab.CHROMIUM_ARGS)
            try:
                return weight.measure_page(
                    browser,
                    server.link(f"lab/tree/modules/{notebook.parent.name}/{notebook.name}"),
                    f"JupyterLab: modules/{notebook.parent.name}/{notebook.name}",
                    server.url,
                    wait_for=".jp-Notebook .jp-MarkdownCell",
                )
            finally:
                browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--no-lab", action="store_true", help="weigh the book only")
    args = parser.parse_args()
    if not (args.html / "index.html").is_file():
        print(f"no built book in {args.html}: run `make book` first (or pass --html DIR)")
        return 2
    faults = 0
    for book in [args.html, *audit.translations(args.html)]:
        weights = weight.measure_book(book)
        print(f"\n== {book.relative_to(args.html.parent) if book != args.html else book}")
        print(weight.format_table(weights))
        faults += sum(1 for w in weights if w.over() or w.external)
    if not args.no_lab:
        lab_weight = weigh_jupyterlab()
        print(
            "\n== JupyterLab (JupyterLab's own code is most of it; the browser caches it after the first visit)"
        )
        print(weight.format_table([lab_weight], budget=None))
        faults += bool(lab_weight.external)
    if faults:
        print(f"\n{faults} page(s) over the budget or asking for something outside the machine")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
