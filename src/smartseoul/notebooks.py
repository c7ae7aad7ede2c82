"""Run and inspect the course notebooks the way a trainee would: a fresh kernel, top to bottom."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import paths

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
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return Run(path, time.perf_counter() - start, nb)


def figure_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Code cells that declare a figure for the book (alt text in their myst-nb metadata)."""
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("mystnb", {}).get("image", {}).get("alt")]


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
            if o.get("output_type") == "stream" and o.get("name") == "stderr" and "Warning" in o.get("text", ""):
                found.append(o["text"].strip().splitlines()[0])
    return found
