"""The words of the exercises' self-check cells: hints, rules and misconception messages.

An exercise's test cell calls :mod:`smartseoul.checks` with English text::

    checks.check_frame(clean_table, n_rows=5, name="clean_table",
                       hint="Did you drop the repeated row?",
                       misconceptions={"clean_table still holds the repeated row ...": 6})
    checks.require(ok, "A district has 0 residents: ...")

That text is read from the notebooks here, with Python's own parser, into the catalogue of the
course's messages; :mod:`smartseoul.checks` looks each one up when it fails, so the code of the cell
stays the same in every language. Hidden tests (``### BEGIN HIDDEN TESTS``) are left out: their
words are for grading, and a catalogue is public."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

#: keyword arguments of the checks whose text a trainee reads
TEXT_KEYWORDS = frozenset({"hint", "too_low", "too_high", "message"})
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*$", re.M | re.S)


def _text(node: ast.AST) -> str | None:
    return (
        node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value else None
    )


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def messages_of_cell(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every message in one code cell; a cell that is not valid Python gives none."""
    visible = _HIDDEN.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    try:
        tree = ast.parse(visible)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _called(node)
        if not (called == "require" or called.startswith("check_")):
            continue
        if called == "require" and len(node.args) >= 2 and (text := _text(node.args[1])):
            yield node.args[1].lineno, text
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS and (text := _text(keyword.value)):
                yield keyword.value.lineno, text
            elif keyword.arg == "misconceptions" and isinstance(keyword.value, ast.Dict):
                for key in keyword.value.keys:
                    if key is not None and (text := _text(key)):
                        yield key.lineno, text


def notebooks(root: Path) -> list[Path]:
    """The exercises' source notebooks (exercises/<assignment>/<assignment>.ipynb)."""
    return sorted(p for p in (root / "exercises").glob("*/*.ipynb") if p.stem == p.parent.name)


def extract(root: Path) -> Iterator[tuple[str, str, int]]:
    """(relative path of the notebook, text, line) for every message of every exercise; the line
    counts from the top of the notebook's code, cell after cell, so it is stable and readable."""
    import nbformat

    for path in notebooks(root):
        rel = path.relative_to(root).as_posix()
        nb = nbformat.read(path, as_version=4)
        for number, cell in enumerate(nb.cells, start=1):
            if cell.cell_type != "code":
                continue
            for _line, text in messages_of_cell(cell.source):
                yield rel, text, number
