"""Rebuild a submission from the trusted assignment template.

Test cells always run as the assignment defines them: the rebuilt notebook takes every test cell
(with its hidden tests, metadata and grade ID) from the template, and from the trainee only the
source of answer cells and the cells they added (kept in place: they may hold helper code).
Everything a trainee changed that the grader ignores is reported as a flag with a reason.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import nbformat

from .course import Course, GradingError


def nbgrader_meta(cell) -> dict:
    return dict(cell.get("metadata", {}).get("nbgrader", {}) or {})


def is_test(cell) -> bool:
    m = nbgrader_meta(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell.get("cell_type") == "code"


def is_answer(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


_META_KEYS = ("grade", "solution", "locked", "points", "grade_id", "task")


@dataclass
class Template:
    """The grading version of one notebook: the student release, with the test cells as the
    gradebook recorded them at release time (hidden tests included)."""

    assignment: str
    notebook: str
    release: nbformat.NotebookNode  # what trainees received
    grading: nbformat.NotebookNode  # what is executed (hidden tests restored)

    @property
    def grade_ids(self) -> list[str]:
        return [g for g in (grade_id(c) for c in self.release.cells) if g]

    def hidden_lines(self) -> list[str]:
        """Lines that appear in a test cell only in the grading version (the hidden tests)."""
        out = []
        for rel, full in zip(self.release.cells, self.grading.cells):
            if is_test(full) and rel.source != full.source:
                visible = set(rel.source.splitlines())
                out += [
                    ln
                    for ln in full.source.splitlines()
                    if ln.strip() and ln not in visible and "HIDDEN TESTS" not in ln
                ]
        return out


def gradebook_sources(course: Course, assignment: str, notebook: str) -> dict[str, str]:
    """The gradebook's source cells of one notebook (hidden tests included), by grade id: the rows
    nbgrader's `Gradebook.find_source_cell` reads, read here with sqlite3 in read-only mode.
    Importing nbgrader's API costs a second, and this runs before the first submission can go
    to a worker; the recording step imports nbgrader later, while the workers grade."""
    import sqlite3

    db = course.grading / "gradebook.db"
    if not db.exists():
        return {}
    con = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT s.name, s.source FROM source_cell s JOIN notebook n ON n.id = s.notebook_id"
            " JOIN assignment a ON a.id = n.assignment_id WHERE n.name = ? AND a.name = ?",
            (notebook, assignment),
        ).fetchall()
    finally:
        con.close()
    return {name: source for name, source in rows}


_DRAWS = re.compile(r"\bmatplotlib\b|\bplt\.|\.plot\b|\.hist\(|\.boxplot\(|\bseaborn\b")


def _released_code(course: Course, assignment: str) -> list[str]:
    """The source of every code cell of the assignment's released notebooks. Read as plain JSON:
    it runs before the workers start, and nbformat's validation made it seven times slower (7.8
    against 1.1 ms)."""
    sources = []
    for path in sorted(course.release_dir(assignment).glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
            if cell.get("cell_type") == "code":
                # a cell's source is a string or a list of lines; "".join gives the text for both
                sources.append("".join(cell.get("source", "")))
    return sources


def draws(course: Course, assignment: str) -> bool:
    """Whether the assignment's released notebooks draw charts (their code names matplotlib, plt,
    .plot ...). The grading sandbox then preloads matplotlib for every kernel. A wrong answer
    costs only time: a kernel imports what its cells use."""
    return any(_DRAWS.search(source) for source in _released_code(course, assignment))


def imports(course: Course, assignment: str) -> list[str]:
    """The modules the released notebooks import, in order: `a.b` for `import a.b` and for
    `from a.b import c`, and `a.b.c` too, in case `c` is a submodule (`from scipy import
    sparse`). The grading sandbox imports them once per worker, so a kernel does not import
    scipy.spatial (0.3 s of CPU) for every submission. Plotting modules are left to `draws`.
    A cell that is not plain Python (a `%magic`) is read without its magic lines."""
    found: dict[str, None] = {}
    for source in _released_code(course, assignment):
        plain = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
        )
        try:
            tree = ast.parse(plain)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names if a.name != "*")]
            else:
                continue
            for name in names:
                if name.split(".")[0] not in ("matplotlib", "__future__"):
                    found[name] = None
    return list(found)


def load_template(course: Course, assignment: str, notebook: str) -> Template:
    rel_path = course.release_dir(assignment) / f"{notebook}.ipynb"
    if not rel_path.exists():
        raise GradingError(
            f"{rel_path} is missing: run `smartseoul grade release {assignment}` (make release) first."
        )
    release = nbformat.read(rel_path, as_version=4)
    grading = copy.deepcopy(release)
    sources = gradebook_sources(course, assignment, notebook)
    for cell in grading.cells:
        gid = grade_id(cell)
        locked = is_test(cell) or nbgrader_meta(cell).get("locked")
        if gid in sources and locked and not is_answer(cell):
            cell.source = sources[gid]
    return Template(assignment, notebook, release, grading)


def bound_names(source: str) -> set[str]:
    """Names a cell (re)binds at top level or anywhere: assignments, defs, imports, loops, del."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
    return names


def loaded_names(source: str) -> set[str]:
    """Names a cell reads."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


class CellNames(NamedTuple):
    bound: frozenset[str]  # what the cell (re)binds
    loaded: frozenset[str]  # what it reads


@functools.lru_cache(maxsize=1024)
def assignment_cell_names(source: str) -> CellNames:
    """The bound and loaded names of one of the assignment's own cells (a test or a setup cell).
    These are the same in every submission of a batch, and parsing them again was a third of the
    time it took to prepare a submission, so each is parsed once. A trainee's cell never goes
    through this cache, so no submission can fill it; the sets are frozen, so no caller can
    change what the next submission is checked against."""
    return CellNames(frozenset(bound_names(source)), frozenset(loaded_names(source)))


_DYNAMIC = ("globals(", "exec(", "setattr(", "builtins", "__dict__", "get_ipython")


@dataclass
class Rebuilt:
    notebook: nbformat.NotebookNode
    roles: list[dict]  # per cell: index, kind (test|answer|added|other), grade_id; tests also: needs
    flags: list[dict] = field(default_factory=list)


def _flag(flags: list, code: str, message: str, gid: str | None = None) -> None:
    flags.append({"code": code, "message": message, "grade_id": gid, "cell": None})


def matches_assignment(template: Template, nb) -> bool:
    ids = set(template.grade_ids)
    return any(grade_id(c) in ids for c in nb.cells)


def rebuild(template: Template, submission: nbformat.NotebookNode) -> Rebuilt:
    flags: list[dict] = []
    rel_by_gid = {grade_id(c): c for c in template.release.cells if grade_id(c)}
    plain_ids = {c.get("id") for c in template.release.cells if not grade_id(c) and c.get("id")}
    plain_sources = {c.source for c in template.release.cells if not grade_id(c)}

    # 1. classify the submission's cells and note what was tampered with
    sub_by_gid: dict[str, nbformat.NotebookNode] = {}
    anchors: dict[object, list] = {}  # template key -> added cells that follow it
    anchor: object = None
    seen_order: list[str] = []
    for cell in submission.cells:
        gid = grade_id(cell)
        key = None
        if gid and gid in rel_by_gid and gid not in sub_by_gid:
            sub_by_gid[gid] = cell
            seen_order.append(gid)
            key = ("gid", gid)
        elif gid and gid in sub_by_gid:
            _flag(
                flags,
                "duplicate-grade-id",
                f"a second cell claims grade ID '{gid}'; it was kept as an added cell, not graded",
                gid,
            )
        elif gid:
            _flag(
                flags,
                "unknown-grade-id",
                f"a cell has grade ID '{gid}', which the assignment does not have; it was kept as an added cell",
                gid,
            )
        elif cell.get("id") in plain_ids or cell.source in plain_sources:
            key = ("plain", cell.get("id") if cell.get("id") in plain_ids else cell.source)
        if key is not None:
            anchor = key
            continue
        anchors.setdefault(anchor, []).append(cell)

    template_order = [g for g in template.grade_ids if g in sub_by_gid]
    if seen_order != template_order:
        _flag(
            flags, "reordered", "graded cells are not in the assignment's order; they were put back in order"
        )

    # 2. walk the grading template and build the notebook that will run
    cells: list = []
    roles: list[dict] = []

    def add(cell, kind: str, gid: str | None) -> None:
        roles.append({"index": len(cells), "kind": kind, "grade_id": gid})
        cells.append(cell)

    def add_trainee_cells(key) -> None:
        for extra in anchors.get(key, []):
            new = copy.deepcopy(extra)
            new.metadata = {}
            if new.cell_type == "code":
                new.outputs, new.execution_count = [], None
            new.pop("id", None)
            add(new, "added", None)

    add_trainee_cells(None)
    for tcell in template.grading.cells:
        gid = grade_id(tcell)
        new = copy.deepcopy(tcell)
        if new.cell_type == "code":
            new.outputs, new.execution_count = [], None
        if gid:
            sub = sub_by_gid.get(gid)
            rel = rel_by_gid[gid]
            if sub is None:
                what = "answer" if is_answer(tcell) else "test" if is_test(tcell) else "locked"
                _flag(
                    flags,
                    f"{what}-missing",
                    f"the {what} cell '{gid}' is missing (deleted, or its grade ID changed); "
                    + (
                        "the blank template cell was graded instead"
                        if what == "answer"
                        else "the assignment's cell was run"
                    ),
                    gid,
                )
            else:
                sm, rm = nbgrader_meta(sub), nbgrader_meta(rel)
                changed = [k for k in _META_KEYS if sm.get(k) != rm.get(k)]
                if sub.cell_type != rel.cell_type:
                    changed.append("cell type")
                stags, rtags = (
                    set(sub.get("metadata", {}).get("tags", [])),
                    set(rel.get("metadata", {}).get("tags", [])),
                )
                if stags != rtags:
                    changed.append("tags " + ", ".join(sorted(stags ^ rtags)))
                ignore = (
                    "nbgrader",
                    "tags",
                    "trusted",
                    "collapsed",
                    "scrolled",
                    "jupyter",
                    "editable",
                    "deletable",
                    "execution",
                )
                smeta, rmeta = sub.get("metadata", {}), rel.get("metadata", {})
                other = {
                    k for k in set(smeta) | set(rmeta) if k not in ignore and smeta.get(k) != rmeta.get(k)
                }
                if other:
                    changed.append("metadata " + ", ".join(sorted(other)))
                if changed:
                    _flag(
                        flags,
                        "metadata-changed",
                        f"cell '{gid}': {'; '.join(changed)} changed; the assignment's metadata was used",
                        gid,
                    )
                if is_answer(tcell):
                    new.source = sub.source
                elif sub.source != rel.source:
                    _flag(
                        flags,
                        "test-edited" if is_test(tcell) else "locked-edited",
                        f"the {'test' if is_test(tcell) else 'read-only'} cell '{gid}' was edited; the assignment's version was run",
                        gid,
                    )
            add(new, "test" if is_test(tcell) else "answer" if is_answer(tcell) else "other", gid)
            add_trainee_cells(("gid", gid))
        else:
            add(new, "other", None)
            add_trainee_cells(("plain", tcell.get("id")))
            if tcell.get("id") not in plain_ids or not tcell.get("id"):
                add_trainee_cells(("plain", tcell.source))

    # 3. added cells that rebind what a test checks, between the answer and its test
    last_answer = None
    for pos, role in enumerate(roles):
        if role["kind"] == "answer":
            last_answer = pos
        elif role["kind"] == "test" and last_answer is not None:
            tested = assignment_cell_names(cells[pos].source).loaded
            for mid in range(last_answer + 1, pos):
                if roles[mid]["kind"] != "added" or cells[mid].cell_type != "code":
                    continue
                hit = sorted(bound_names(cells[mid].source) & tested)
                dynamic = [d for d in _DYNAMIC if d in cells[mid].source]
                if hit or dynamic:
                    why = (
                        f"rebinds {', '.join(f'`{h}`' for h in hit)}" if hit else f"uses {', '.join(dynamic)}"
                    )
                    _flag(
                        flags,
                        "rebinds-tested-name",
                        f"a cell added between answer '{roles[last_answer]['grade_id']}' and its test '{role['grade_id']}' {why}: review it",
                        role["grade_id"],
                    )
    # 4. what each test needs from the trainee: the names it reads that no trusted cell defines
    trusted: set[str] = set(dir(builtins))
    for pos, role in enumerate(roles):
        if cells[pos].cell_type != "code":
            continue
        if role["kind"] == "other":
            trusted |= assignment_cell_names(cells[pos].source).bound
        elif role["kind"] == "test":
            names = assignment_cell_names(cells[pos].source)
            role["needs"] = sorted(names.loaded - names.bound - trusted)
            # answers that cannot cross as data are declared per question in the test cell's metadata:
            #   {"smartseoul": {"judge": "manual"}}  the question goes to manual grading
            #   {"smartseoul": {"files": ["memo.md"]}}  the judge gets these files of the trainee's folder
            declared = dict(cells[pos].get("metadata", {}).get("smartseoul", {}) or {})
            role["judge"] = "manual" if declared.get("judge") == "manual" else "data"
            role["files"] = [
                f
                for f in declared.get("files", [])
                if isinstance(f, str) and f and "/" not in f and f not in (".", "..")
            ]
    for i, c in enumerate(cells):
        c["id"] = f"cell-{i}"
    nb = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(template.grading.metadata))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    return Rebuilt(nb, roles, flags)


def read_notebook(path: Path):
    """A submitted notebook, or GradingError saying why it is not readable. Validated once:
    nbformat.read validates what it reads, and hands over the error instead of raising it."""
    invalid: dict[str, Exception] = {}
    try:
        nb = nbformat.read(path, as_version=4, capture_validation_error=invalid)
        if "ValidationError" in invalid:
            raise invalid["ValidationError"]
        return nb
    except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GradingError(
            f"not a readable Jupyter notebook ({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc
    except nbformat.ValidationError as exc:
        raise GradingError(f"not a valid Jupyter notebook ({str(exc).splitlines()[0][:120]})") from exc
    except Exception as exc:  # nbformat raises several types for broken files
        raise GradingError(f"not a readable Jupyter notebook ({type(exc).__name__})") from exc
