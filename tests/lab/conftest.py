"""Shared pieces of the JupyterLab / JupyterHub tests: which assignment and module notebook to
use (the real ones when they exist, the small fixtures here otherwise), submissions filled in the
way a trainee would, and where screenshots go."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest

from smartseoul import paths

FIXTURES = Path(__file__).parent / "fixtures"
REAL_ASSIGNMENT = "m0-orientation"


def course_assignment() -> Path:
    """exercises/m0-orientation when it is there, else the fixture assignment."""
    real = paths.exercises_dir() / REAL_ASSIGNMENT
    if (real / f"{REAL_ASSIGNMENT}.ipynb").exists():
        return real
    return FIXTURES / "lab-fixture"


def all_course_assignments() -> list[Path]:
    """Every assignment folder in exercises/ that holds its notebook (for 'see all assignments')."""
    found = (
        sorted(d for d in paths.exercises_dir().glob("*") if d.is_dir() and (d / f"{d.name}.ipynb").exists())
        if paths.exercises_dir().is_dir()
        else []
    )
    return found or [FIXTURES / "lab-fixture"]


def _draws_a_figure(path: Path) -> bool:
    """A figure cell carries the course's alt-text metadata (mystnb.image.alt)."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:
        return False
    return any(
        c.cell_type == "code" and c.get("metadata", {}).get("mystnb", {}).get("image") for c in nb.cells
    )


def module_zero_notebook() -> Path:
    """The first module 0 notebook that draws a figure, else the fixture page with one chart."""
    folder = paths.modules_dir() / "00-orientation"
    notebooks = sorted(folder.glob("00[a-z]-*.ipynb")) if folder.is_dir() else []
    drawing = [nb for nb in notebooks if _draws_a_figure(nb)]
    return drawing[0] if drawing else FIXTURES / "00-orientation" / "00a-fixture-figure.ipynb"


#: A MyST box in a notebook's markdown: ```{admonition} Title, ```{note}, :::{tip} ...
ADMONITION = re.compile(
    r"^(`{3,}|:{3,})\{(admonition|note|tip|hint|important|warning|caution|attention|danger|error|seealso)\}",
    re.M,
)
#: A footnote reference, [^area].
FOOTNOTE = re.compile(r"\[\^([\w-]+)\](?!:)")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def markdown_sources(path: Path) -> list[str]:
    return [c.source for c in read_nb(path).cells if c.cell_type == "markdown"]


def myst_notebook() -> Path:
    """The first module notebook whose text has a Try-it box, a footnote and Hangul (0a today):
    what the JupyterLab test opens to check that MyST renders as in the book. No fixture stands
    in for it: if no module notebook has all three, the test says so instead of checking less."""
    folder = paths.modules_dir()
    for path in sorted(folder.glob("*/*.ipynb")) if folder.is_dir() else []:
        text = "\n\n".join(markdown_sources(path))
        if "{admonition} Try it" in text and FOOTNOTE.search(text) and HANGUL.search(text):
            return path
    raise AssertionError(
        f"no notebook under {folder} has a Try-it box, a footnote ([^name]) and Hangul in its markdown: "
        "the JupyterLab MyST test needs one"
    )


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def written_answer_cells(nb) -> list:
    """Cells graded by hand: answer cells that carry points (markdown first)."""
    manual = [c for c in nb.cells if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution")]
    return sorted(manual, key=lambda c: c.cell_type != "markdown")


def autograded_points(nb) -> float:
    """Points of the test cells nbgrader scores automatically."""
    return sum(
        float(nbgrader_meta(c).get("points", 0))
        for c in nb.cells
        if c.cell_type == "code" and nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")
    )


def fill_submission(release_nb, source_nb, *, correct: bool, written: str):
    """What a trainee hands in: the released notebook with answers typed in.

    ``correct``: the answer cells get the instructor's solution (taken from the source notebook
    by grade id); otherwise they stay as released (blank). Written answers get ``written``."""
    solutions = {
        nbgrader_meta(c).get("grade_id"): c.source
        for c in source_nb.cells
        if nbgrader_meta(c).get("solution")
    }
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if not meta.get("solution"):
            continue
        if meta.get("grade") and cell.cell_type == "markdown":
            cell.source = written
        elif correct and meta.get("grade_id") in solutions:
            cell.source = solutions[meta["grade_id"]]
    return nb


def read_nb(path: Path):
    return nbformat.read(str(path), as_version=4)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/lab/ in the checkout (git-ignored): screenshots and server logs."""
    out = paths.course_root() / "test-artifacts" / "lab"
    out.mkdir(parents=True, exist_ok=True)
    return out
