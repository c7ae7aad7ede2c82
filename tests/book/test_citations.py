"""Every citation resolves to a source inside the repository (issue 16).

The real course must have no citation problem. Each rule of `smartseoul.citations` is then shown
to fail on a small course with one planted fault, and on a copy of a real module notebook.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from smartseoul import citations, facts
from smartseoul.findings import errors

ROOT = Path(__file__).resolve().parents[2]

BIB = """@misc{city_portal_2012,
  author = {{City Government}},
  title = {The open-data portal},
  year = {2012},
  url = {https://data.example.org}
}
"""
FACTS = """- id: portal-launch
  topic: Open data
  statement: The city launched its open-data portal in May 2012.
  value: May 2012
  date: "2012-05"
  status: confirmed
  sources:
    - ref: city_portal_2012
      where: home page
"""
GOOD_PAGE = (
    "# Open data\n\nSeoul launched its portal in 2012 ([portal-launch](../../book/sources.md#portal-launch)).\n\n"
    "In this course's synthetic data, 1,234 trips start in Seoul's centre.\n"
)


def small_course(tmp_path: Path, page: str = GOOD_PAGE) -> Path:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "references.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "book" / "facts.yaml").write_text(FACTS, encoding="utf-8")
    (tmp_path / "book" / "references.md").write_text("# References\n", encoding="utf-8")
    register = facts.load(tmp_path)
    assert not register.findings, register.findings
    (tmp_path / "book" / "sources.md").write_text(facts.sources_page(register), encoding="utf-8")
    (tmp_path / "modules" / "01-m").mkdir(parents=True)
    (tmp_path / "modules" / "01-m" / "index.md").write_text(page, encoding="utf-8")
    return tmp_path


def codes(root: Path) -> list[str]:
    return sorted(f.code for f in errors(citations.check(root)))


def test_the_course_has_no_citation_problem():
    found = errors(citations.check(ROOT))
    assert not found, f"{len(found)} citation problem(s); run `smartseoul book citations`:\n" + "\n".join(
        map(str, found[:40])
    )


def test_the_sources_page_lists_every_fact_under_its_id():
    register = facts.load(ROOT)
    assert len(register.facts) >= 40, "the register should hold the course's facts about Seoul"
    page = (ROOT / facts.SOURCES_PAGE).read_text(encoding="utf-8")
    for fact in register.facts:
        assert f"\n### {fact.id}\n" in page
    for fact in register.facts:
        for source in fact.sources:
            ref = register.references[source.ref]
            assert ref.url or ref.note, f"{source.ref} gives the reader no way to find it"


def test_a_small_clean_course_passes(tmp_path):
    assert codes(small_course(tmp_path)) == []


@pytest.mark.parametrize(
    ("planted", "code"),
    [
        ("Seoul had 9 routes in 2013 ([owl](../../book/sources.md#owl-bus-launch)).", "unknown-fact"),
        ("Seoul had 9 routes ([facts](../../../private-notes/seoul-facts.md)).", "outside-repo"),
        ("Seoul had 9 routes (see /home/author/notes/seoul-facts.md).", "outside-repo"),
        ("Seoul had 9 routes ([facts](file:///home/me/facts.md)).", "outside-repo"),
        ("Seoul had 9 routes ([facts](../../book/facts-old.md)).", "broken-link"),
        ("Seoul had 9 routes {cite:p}`no_such_key`.", "unknown-reference"),
        ("Seoul had 9 routes (Seoul reference facts §2(i)).", "shorthand-citation"),
        ("Seoul launched nine routes on 12 September 2013.", "uncited-figure"),
        ("About 71 % of Ttareungyi rides are shorter than 4 km.", "uncited-figure"),
    ],
)
def test_a_planted_fault_fails_the_check(tmp_path, planted, code):
    root = small_course(tmp_path, GOOD_PAGE + "\n" + planted + "\n")
    assert code in codes(root)


def test_an_uncited_figure_passes_only_with_a_reviewed_exception(tmp_path):
    root = small_course(tmp_path, GOOD_PAGE + "\nSeoul launched nine routes in 2013.\n")
    assert codes(root) == ["uncited-figure"]
    allow = root / citations.ALLOWLIST
    allow.write_text("- file: modules/01-m/index.md\n  contains: nine routes\n", encoding="utf-8")
    assert codes(root) == ["allowlist", "uncited-figure"], "an exception without a reason is refused"
    allow.write_text(
        "- file: modules/01-m/index.md\n  contains: nine routes\n  reason: tested\n", encoding="utf-8"
    )
    assert codes(root) == []


def test_a_fact_with_an_unknown_reference_or_a_stale_page_fails(tmp_path):
    root = small_course(tmp_path)
    page = root / "book" / "sources.md"
    page.write_text(page.read_text(encoding="utf-8").replace("May 2012 (", "June 2012 ("), encoding="utf-8")
    assert codes(root) == ["sources-page-stale"]
    (root / "book" / "facts.yaml").write_text(
        FACTS.replace("city_portal_2012", "portal_2013"), encoding="utf-8"
    )
    assert "fact-source" in codes(root)
    (root / "book" / "facts.yaml").write_text(
        FACTS.replace("status: confirmed", "status: sure"), encoding="utf-8"
    )
    assert "fact-status" in codes(root)


def test_a_datapackage_source_must_be_online_or_in_the_repository(tmp_path):
    root = small_course(tmp_path)
    (root / "datasets").mkdir()
    package = {
        "resources": [
            {"name": "ok", "sources": [{"title": "portal", "path": "https://data.example.org"}]},
            {"name": "fact", "sources": [{"title": "fact", "path": "../book/sources.md#portal-launch"}]},
        ]
    }
    (root / "datasets" / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    assert codes(root) == []
    package["resources"].append({"name": "bad", "sources": [{"title": "notes", "path": "src/reference/"}]})
    (root / "datasets" / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    assert codes(root) == ["broken-link"]


@pytest.mark.parametrize(
    ("planted", "code"),
    [
        ("[owl-bus-x](../../book/sources.md#owl-bus-not-a-fact)", "unknown-fact"),
        ("[facts](../../../private-notes/seoul-facts.md)", "outside-repo"),
    ],
)
def test_a_fault_planted_in_a_real_module_notebook_fails(tmp_path, planted, code):
    """A copy of the course (large data files as empty stand-ins), then one citation planted."""
    shutil.copytree(
        ROOT,
        tmp_path,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".git", ".venv", "_build", "_generated", "node_modules", "__pycache__"),
        copy_function=_copy_small,
    )
    notebook = "modules/03-owl-bus-case-study/03b-designing-and-testing-routes.ipynb"
    nb = nbformat.read(ROOT / notebook, as_version=4)
    assert codes_of(tmp_path, nb, notebook) == []
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    cell.source += f"\n\nThe city checked this ({planted})."
    assert codes_of(tmp_path, nb, notebook) == [code]


def _copy_small(src: str, dst: str) -> None:
    """Text and small files as they are; a large data file as an empty file of the same name."""
    if Path(src).stat().st_size > 1_000_000:
        Path(dst).touch()
    else:
        shutil.copy2(src, dst)


def codes_of(root: Path, nb, notebook: str) -> list[str]:
    """The findings about one notebook, after writing it into the copied course."""
    nbformat.write(nb, root / notebook)
    return sorted(f.code for f in errors(citations.check(root)) if f.where.startswith(notebook))


def test_the_command_line_reports_and_fails(tmp_path):
    root = small_course(tmp_path, GOOD_PAGE + "\nSee [x](../../book/sources.md#nope).\n")
    run = subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "book", "citations"],
        capture_output=True,
        text=True,
        env={"SMARTSEOUL_HOME": str(root), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "unknown-fact" in run.stdout and "nope" in run.stdout
