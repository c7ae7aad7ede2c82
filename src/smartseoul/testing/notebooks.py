"""Run and inspect the course notebooks the way a trainee would: a fresh kernel, top to bottom."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .. import paths

MODULES = [
    "00-orientation",
    "01-smart-city-initiatives",
    "02-big-data-post-covid",
    "03-owl-bus-case-study",
    "04-implementation-and-trends",
    "05-sustainable-cities",
    "06-capstone-your-city",
]


def module_notebooks(root: Path | None = None) -> list[Path]:
    base = (root or paths.course_root()) / "modules"
    return sorted(p for p in base.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@dataclass
class Run:
    path: Path
    seconds: float
    notebook: nbformat.NotebookNode


def execute(path: Path, timeout: int = 300) -> Run:
    """Execute a notebook in a fresh python3 kernel with its own folder as working directory."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    return Run(path, time.perf_counter() - start, nb)


def figure_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Code cells that declare a figure for the book (alt text in their myst-nb metadata)."""
    return [
        c
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("mystnb", {}).get("image", {}).get("alt")
    ]


def admonitions(nb_or_text, title: str) -> int:
    """How many MyST admonitions with this title (e.g. 'Try it') a notebook or page holds."""
    if isinstance(nb_or_text, str):
        text = nb_or_text
    else:
        text = "\n".join(c.source for c in nb_or_text.cells if c.cell_type == "markdown")
    return len(re.findall(r"```\{admonition\}\s*" + re.escape(title), text, flags=re.IGNORECASE))


def warnings_in_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Warning text a run printed (the book treats warnings as errors)."""
    found = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if (
                o.get("output_type") == "stream"
                and o.get("name") == "stderr"
                and "Warning" in o.get("text", "")
            ):
                found.append(o["text"].strip().splitlines()[0])
    return found


PROBE_MARK = "PROBE-JSON:"


def probe(path: Path, expression: str, setup: str = "", timeout: int = 300, default=str) -> dict:
    """Run a notebook from a fresh kernel, then evaluate ``expression`` (a dict literal) in it.

    Lets tests check that what the narrative says is what the notebook computes."""
    import json

    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(
        new_code_cell(
            f"{setup}\nimport json as _json\nprint({PROBE_MARK!r} + _json.dumps({expression}, default={default.__name__}))"
        )
    )
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    for output in nb.cells[-1].outputs:
        if output.get("output_type") == "stream" and PROBE_MARK in output.get("text", ""):
            return json.loads(output["text"].split(PROBE_MARK, 1)[1])
    raise AssertionError(f"{path.name}: the probe cell printed nothing")


TRY_IT = re.compile(r"(?:```|:::)\{admonition\}\s*Try it", re.IGNORECASE)
WORKED = re.compile(r"(?:```|:::)\{dropdown\}\s*Worked (?:solution|answer)", re.IGNORECASE)
SOLUTION_TAG = "try-it-solution"


def try_its_without_solution(nb: nbformat.NotebookNode) -> list[str]:
    """Each Try-it box must be followed by its worked solution before the lesson goes on: a code
    cell tagged `try-it-solution` (collapsed, it runs with the notebook) or a `{dropdown} Worked
    solution` / `Worked answer` box. Returns where a box has none, or a solution has no box."""
    problems: list[str] = []
    pending: list[int] = []  # cell numbers of Try-it boxes still waiting for a solution
    for number, cell in enumerate(nb.cells, start=1):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code":
            tokens = ["solution"] if SOLUTION_TAG in tags else []
        else:
            marks = [(m.start(), "try") for m in TRY_IT.finditer(cell.source)]
            marks += [(m.start(), "solution") for m in WORKED.finditer(cell.source)]
            tokens = [kind for _, kind in sorted(marks)]
        if not tokens and pending:
            problems += [f"cell {n}: a Try it box with no worked solution after it" for n in pending]
            pending = []
        for kind in tokens:
            if kind == "try":
                pending.append(number)
            elif pending:
                pending.pop(0)
            else:
                problems.append(f"cell {number}: a worked solution that follows no Try it box")
    problems += [f"cell {n}: a Try it box with no worked solution after it" for n in pending]
    return problems
