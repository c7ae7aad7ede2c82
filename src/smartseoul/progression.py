"""The progression ledger: which Python each notebook teaches, so nothing is used before it is taught.

A trainee who has never programmed meets each construct (a piece of syntax, a function, a
method) once, with a plain explanation, before any notebook or exercise relies on it. Each
module notebook declares what it introduces in its metadata:

    "smartseoul": {"introduces": {"pd.read_csv": "reads a CSV file into a table", ...}}

`check()` reads the code of every module notebook and every exercise solution in course order,
finds the constructs it uses with Python's own parser (`ast`), and reports any construct that no
earlier notebook (or the notebook itself) introduced, apart from the short list of `BASICS`.
Code cells tagged `hide-input` are plumbing that the lesson does not teach (the book and
JupyterLab show them collapsed) and are not counted. `page()` writes the "Python you have met"
page of a module from the same ledger.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import nbformat

from . import paths
from .exercises import cells as ex_cells
from .findings import Finding

#: constructs every trainee may use from the first cell: the words of the first lesson's first
#: page (values, names, arithmetic and comparison), and the calls nothing can be done without
BASICS: dict[str, str] = {
    "print()": "shows a value below the cell",
    "import": "loads a library so its functions can be used (import pandas as pd)",
}
#: how each piece of syntax is named in the ledger
SYNTAX: dict[type, str] = {
    ast.FunctionDef: "def",
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.DictComp: "dict comprehension",
    ast.SetComp: "set comprehension",
    ast.GeneratorExp: "generator expression",
    ast.Try: "try/except",
    ast.With: "with",
    ast.JoinedStr: "f-string",
    ast.Slice: "slicing",
    ast.IfExp: "conditional expression",
    ast.While: "while",
    ast.ClassDef: "class",
    ast.For: "for",
    ast.If: "if",
    ast.Assert: "assert",
    ast.Raise: "raise",
    ast.AugAssign: "augmented assignment",
    ast.Starred: "unpacking *",
    ast.NamedExpr: "walrus :=",
    ast.Dict: "dict",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Subscript: "indexing",
}
OPERATORS: dict[type, str] = {ast.Invert: "~", ast.Not: "not", ast.And: "and", ast.Or: "or"}
PLUMBING_TAG = "hide-input"


@dataclass(frozen=True)
class Step:
    """One notebook in course order, and the constructs it uses and introduces."""

    path: str
    uses: dict[str, int]  #: construct -> first code cell (1-based) that uses it
    introduces: dict[str, str]
    is_exercise: bool = False


@dataclass
class Ledger:
    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def introduced_by(self) -> dict[str, str]:
        """construct -> the notebook that introduces it first"""
        first: dict[str, str] = {}
        for step in self.steps:
            for name in step.introduces:
                first.setdefault(name, step.path)
        return first


class _Uses(ast.NodeVisitor):
    """The constructs one piece of code uses, named as the ledger names them."""

    def __init__(self, defined: set[str]) -> None:
        self.found: list[str] = []
        self.aliases: dict[str, str] = {}  # name bound by an import -> what it stands for
        self.defined = defined
        self.called: set[ast.AST] = set()

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self.aliases[(a.asname or a.name).split(".")[0]] = a.asname or a.name.split(".")[0]
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for a in node.names:
            self.aliases[a.asname or a.name] = a.name
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        base = node.value
        if isinstance(base, ast.Name) and base.id in self.aliases:
            self.found.append(f"{self.aliases[base.id]}.{node.attr}")
        elif node in self.called or node.attr in library_attributes():
            # a method, or a property of a library's object (not `df.name_en`, a column)
            self.found.append(f".{node.attr}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id not in self.defined:
            self.found.append(f"{node.func.id}()")
        if isinstance(node.func, ast.Attribute):
            self.called.add(node.func)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if type(node.op) in OPERATORS:
            self.found.append(OPERATORS[type(node.op)])
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        self.found.append(OPERATORS[type(node.op)])
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        if type(node) in SYNTAX:
            self.found.append(SYNTAX[type(node)])
        super().generic_visit(node)


def _python(source: str) -> str:
    """A code cell without IPython's magics and shell lines (they are not Python)."""
    return "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines())


def _defined_names(tree: ast.AST) -> set[str]:
    """Functions and classes the notebook defines itself: calling them is not a new construct."""
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def uses(sources: list[str], counted: set[int] | None = None) -> dict[str, int]:
    """construct -> first (1-based) source that uses it, for the code cells of one notebook.

    Every source is read (so `import pandas as pd` in a setup cell names `pd` everywhere), and
    only the sources in `counted` (1-based; default all) count as using constructs."""
    trees = [ast.parse(_python(s)) for s in sources]
    defined: set[str] = set()
    for tree in trees:
        defined |= _defined_names(tree)
    found: dict[str, int] = {}
    visitor = _Uses(defined)
    for index, tree in enumerate(trees, start=1):
        visitor.found = []
        visitor.visit(tree)
        if counted is None or index in counted:
            for name in visitor.found:
                found.setdefault(name, index)
    return found


@cache
def library_attributes() -> frozenset[str]:
    """Public attributes of the objects lessons work with (tables, arrays, maps, axes, paths), so
    that `s.dt.year` counts as a construct and a column read as `df.name_en` does not."""
    import geopandas as gpd
    import matplotlib.axes
    import matplotlib.figure
    import numpy as np
    import pandas as pd

    kinds: list[object] = [
        pd.DataFrame, pd.Series, pd.Index, pd.DatetimeIndex, pd.Timestamp, pd.Timedelta,
        pd.core.groupby.DataFrameGroupBy, pd.core.groupby.SeriesGroupBy,
        pd.core.strings.accessor.StringMethods, pd.core.indexes.accessors.DatetimeProperties,
        gpd.GeoDataFrame, gpd.GeoSeries, np.ndarray, matplotlib.axes.Axes, matplotlib.figure.Figure, Path,
    ]  # fmt: skip
    return frozenset(name for kind in kinds for name in dir(kind) if not name.startswith("_"))


def _lesson_code(nb) -> Iterator[tuple[int, str]]:
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and PLUMBING_TAG not in cell.get("metadata", {}).get("tags", []):
            yield index, cell.source


def _solution_code(nb) -> Iterator[tuple[int, str]]:
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and ex_cells.kind(cell) == "answer":
            yield index, cell.source


def course_order(root: Path) -> list[tuple[Path, bool]]:
    """Module notebooks by folder and name; each exercise right after its module's notebooks."""
    ordered: list[tuple[Path, bool]] = []
    exercises = {p.parent.name: p for p in root.glob("exercises/*/*.ipynb") if p.stem == p.parent.name}
    for module in sorted(p for p in (root / "modules").iterdir() if p.is_dir()):
        ordered += [(p, False) for p in sorted(module.glob("*.ipynb"))]
        number = module.name[:2]
        key = "capstone" if number == "06" else f"m{int(number)}-" if number.isdigit() else None
        for name in sorted(exercises):
            if key and (name == key or name.startswith(key)):
                ordered.append((exercises[name], True))
    return ordered


def load(root: Path | None = None) -> Ledger:
    root = root or paths.course_root()
    ledger = Ledger()
    for path, is_exercise in course_order(root):
        rel = path.relative_to(root).as_posix()
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # reported; the rest of the course is still checked
            ledger.findings.append(
                Finding("unreadable", rel, f"cannot be read ({exc}).", "Repair the notebook.")
            )
            continue
        code = [(i, c.source) for i, c in enumerate(nb.cells, start=1) if c.cell_type == "code"]
        counted = {i for i, _ in (_solution_code(nb) if is_exercise else _lesson_code(nb))}
        try:
            used = uses(
                [src for _, src in code], {n for n, (i, _) in enumerate(code, start=1) if i in counted}
            )
        except SyntaxError as exc:
            ledger.findings.append(
                Finding("syntax", rel, f"has code Python cannot parse ({exc}).", "Fix the cell.")
            )
            continue
        used = {name: code[i - 1][0] for name, i in used.items()}
        introduces = nb.metadata.get("smartseoul", {}).get("introduces", {})
        if not isinstance(introduces, dict):
            introduces = {}
            ledger.findings.append(
                Finding(
                    "ledger-shape",
                    rel,
                    "`smartseoul.introduces` is not a mapping.",
                    "Write construct: explanation.",
                )
            )
        ledger.steps.append(Step(rel, used, dict(introduces), is_exercise))
    return ledger


def check(root: Path | None = None) -> list[Finding]:
    """Each construct used before any notebook introduced it, and each ledger entry that is wrong."""
    ledger = load(root)
    found = list(ledger.findings)
    known: dict[str, str] = dict(BASICS)
    reported: set[str] = set()
    for step in ledger.steps:
        if step.is_exercise and step.introduces:
            found.append(
                Finding(
                    "exercise-introduces",
                    step.path,
                    "an exercise introduces constructs.",
                    "Teach them in a module.",
                )
            )
        for name, explanation in step.introduces.items():
            if not (isinstance(explanation, str) and 3 <= len(explanation.split()) <= 30):
                found.append(
                    Finding(
                        "ledger-explanation",
                        step.path,
                        f"explains {name!r} in {explanation!r}.",
                        "Give one plain line of 3 to 30 words.",
                    )
                )
            if name in known:
                found.append(
                    Finding(
                        "ledger-twice",
                        step.path,
                        f"introduces {name!r} again.",
                        "Remove it: it was met earlier.",
                    )
                )
            elif name not in step.uses:
                found.append(
                    Finding(
                        "ledger-unused",
                        step.path,
                        f"introduces {name!r} but its lesson code never uses it.",
                        "Remove it, or use it in the lesson.",
                    )
                )
        known.update({n: e for n, e in step.introduces.items() if n not in known and n in step.uses})
        for name, cell in sorted(step.uses.items(), key=lambda kv: kv[1]):
            if name not in known and name not in reported:
                what = "solution" if step.is_exercise else "lesson"
                found.append(
                    Finding(
                        "untaught",
                        f"{step.path} cell {cell}",
                        f"the {what} uses {name!r}, which no earlier notebook introduces.",
                        "Introduce and explain it in this or an earlier module notebook (metadata "
                        "`smartseoul.introduces`), or write the code without it.",
                    )
                )
                reported.add(name)  # once, where it is first used
    return found


def module_pages(root: Path | None = None) -> dict[str, str]:
    """module folder -> Markdown of its "Python you have met" page."""
    root = root or paths.course_root()
    ledger = load(root)
    pages: dict[str, list[Step]] = {}
    for step in ledger.steps:
        if not step.is_exercise:
            pages.setdefault(step.path.split("/")[1], []).append(step)
    from .render import render

    # in the order a reader meets them (notebook metadata is stored sorted by name)
    ordered = {
        step.path: sorted(step.introduces.items(), key=lambda kv: (step.uses.get(kv[0], 10**6), kv[0]))
        for steps in pages.values()
        for step in steps
    }
    return {
        module: render(
            "python_you_have_met.md.j2",
            module=module,
            steps=steps,
            ordered=ordered,
            title=_title(root, module),
        )
        for module, steps in pages.items()
    }


def _title(root: Path, module: str) -> str:
    index = root / "modules" / module / "index.md"
    if index.exists():
        for line in index.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return module
