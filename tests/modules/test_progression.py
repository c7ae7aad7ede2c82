"""Nothing is used before it is taught: the progression ledger (issue 15, item 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from smartseoul import progression

ROOT = Path(__file__).resolve().parents[2]


def test_every_construct_is_introduced_before_it_is_used():
    found = progression.check(ROOT)
    assert not found, f"{len(found)} problem(s):\n" + "\n".join(map(str, found[:60]))


def notebook(path: Path, cells: list, introduces: dict | None = None) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    if introduces is not None:
        nb.metadata["smartseoul"] = {"introduces": introduces}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def small_course(tmp_path: Path, second_lesson: str, solution: str = "total = len(names)") -> list[str]:
    code = nbformat.v4.new_code_cell
    notebook(
        tmp_path / "modules" / "00-intro" / "00a.ipynb",
        [code("names = ['Jongno', 'Jung']\nprint(len(names))")],
        {"list": "several values in order, in square brackets", "len()": "how many items a list holds"},
    )
    notebook(tmp_path / "modules" / "00-intro" / "00b.ipynb", [code(second_lesson)], {})
    answer = code(f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "q1", "schema_version": 3}
    notebook(tmp_path / "exercises" / "m0-intro" / "m0-intro.ipynb", [code("import pandas as pd"), answer])
    return [f"{f.code}: {f.what}" for f in progression.check(tmp_path)]


def test_a_small_course_that_teaches_before_it_uses_passes(tmp_path):
    assert small_course(tmp_path, "print(len(['a', 'b']))") == []


def test_a_planted_untaught_construct_in_a_lesson_fails(tmp_path):
    found = small_course(tmp_path, "short = sorted(['b', 'a'], key=lambda s: len(s))")
    assert any("untaught" in f and "'lambda'" in f for f in found), found
    assert any("untaught" in f and "'sorted()'" in f for f in found), found


def test_a_planted_untaught_construct_in_a_solution_fails(tmp_path):
    found = small_course(tmp_path, "print(len(['a']))", solution="long = pd.DataFrame().melt()")
    assert any("solution uses 'pd.DataFrame'" in f for f in found), found
    assert any("solution uses '.melt'" in f for f in found), found


def test_plumbing_hidden_from_the_lesson_does_not_count(tmp_path):
    code = nbformat.v4.new_code_cell("short = sorted(['b', 'a'], key=lambda s: len(s))")
    code.metadata["tags"] = [progression.PLUMBING_TAG]
    small_course(tmp_path, "print(len(['a']))")
    notebook(tmp_path / "modules" / "00-intro" / "00b.ipynb", [code], {})
    assert [f.code for f in progression.check(tmp_path)] == []


@pytest.mark.parametrize(
    ("introduces", "code"),
    [
        ({"len()": "counts"}, "ledger-explanation"),
        ({"list": "several values in order, again"}, "ledger-twice"),
        ({"zip()": "pairs up the items of two lists"}, "ledger-unused"),
    ],
)
def test_a_wrong_ledger_entry_fails(tmp_path, introduces, code):
    small_course(tmp_path, "print(len(['a']))")
    notebook(
        tmp_path / "modules" / "00-intro" / "00b.ipynb",
        [nbformat.v4.new_code_cell("print(len(['a']))")],
        introduces,
    )
    assert code in [f.code for f in progression.check(tmp_path)]


def test_a_construct_planted_in_a_real_notebook_fails(tmp_path):
    for folder in ("modules", "exercises"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.csv", "*.md", "toy_city"))
    first = tmp_path / "modules" / "00-orientation" / "00a-jupyter-and-python.ipynb"
    nb = nbformat.read(first, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import functools\nfunctools.reduce(max, [1, 2])"))
    nbformat.write(nb, first)
    assert any("'functools.reduce'" in f.what for f in progression.check(tmp_path) if f.code == "untaught")


def test_the_module_page_lists_what_each_notebook_introduces(tmp_path):
    small_course(tmp_path, "print(len(['a']))")
    page = progression.module_pages(tmp_path)["00-intro"]
    assert "| `len()` | how many items a list holds |" in page
    assert "## 00b.ipynb" in page and "introduces no new Python" in page
