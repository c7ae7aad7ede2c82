"""The rules every assignment notebook keeps, checked where instructors edit it.

`smartseoul exercises lint` reads `exercises/<name>/<name>.ipynb` and reports each broken rule
as a Finding that says what to do. `--fix` repairs what is mechanical (cell ids, outputs left by
a run in JupyterLab) and leaves the rest to the author. Nothing here rewrites a cell's text.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import nbformat

from ..findings import Finding
from . import cells as c

# a hint may teach the method; it must not hand over a line of the solution
MIN_LEAK = 20
_HINT_BLOCK = re.compile(r"<details>\s*<summary>[^<]*hint[^<]*</summary>(.*?)</details>", re.I | re.S)
# a path typed as a literal; `read_parquet('{path}')` in an f-string (SQL) takes a variable's path
# hints come in steps: the idea, then which functions, then a pattern to complete
HINT_STEPS = ("Hint 1", "Hint 2", "Hint 3")
_SUMMARIES = re.compile(r"<summary>\s*(Hint \d)", re.I)
_READS_BY_PATH = re.compile(r"read_(csv|file|parquet|json|excel)\(\s*[rbf]?[\"'](?!\{)")
_POINTS_LINE = re.compile(
    r"\*\*Points:\*\* (\d+) automatically graded questions \(([\d.]+) points( each)?\) "
    r"and (\d+) written answers? \(([\d.]+) points\): ([\d.]+) points in all"
)
TOOLBAR = (
    "In JupyterLab choose View > Cell Toolbar... or the Create Assignment sidebar, and set the cell type"
)


def lint_path(path: Path, fix: bool = False) -> list[Finding]:
    """Every finding for one assignment notebook; with `fix`, first repair what is mechanical."""
    name = path.stem
    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(nb)
    except (OSError, ValueError, nbformat.ValidationError) as exc:  # ValueError: not JSON, not UTF-8
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [
            Finding(
                "unreadable",
                str(path),
                f"the notebook cannot be read ({first}).",
                "restore it from git (git checkout -- FILE) or fix the JSON by hand; nothing was changed.",
            )
        ]
    if fix and repair(nb):
        nbformat.write(nb, path)
    return lint_notebook(nb, name)


def repair(nb: nbformat.NotebookNode) -> bool:
    """Set each cell's id from its grade id and clear outputs; True when something changed."""
    changed = False
    for cell in nb.cells:
        gid = c.grade_id(cell)
        if gid and cell.get("id") != c.cell_id(gid):
            cell["id"] = c.cell_id(gid)
            changed = True
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            cell["outputs"], cell["execution_count"] = [], None
            changed = True
    return changed


def lint_notebook(nb: nbformat.NotebookNode, name: str) -> list[Finding]:
    found: list[Finding] = []

    def add(code: str, where: str, what: str, fix: str) -> None:
        found.append(Finding(code, f"{name}/{where}" if where else name, what, fix))

    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        add(
            "kernel", "", "the notebook's kernel is not python3.", "choose Kernel > Change Kernel > Python 3."
        )
    ids = Counter(c.grade_id(cell) for cell in nb.cells if c.grade_id(cell))
    for gid, n in ids.items():
        if n > 1:
            add("duplicate-id", gid, f"{n} cells share the grade id {gid!r}.", "give each cell its own id.")
    answers = {c.grade_id(cell) for cell in nb.cells if c.kind(cell) == "answer"}
    for i, cell in enumerate(nb.cells, start=1):
        gid = c.grade_id(cell)
        where = gid or f"cell {i}"
        kind = c.kind(cell)
        if not kind:
            add(
                "no-kind",
                where,
                "this cell has no course cell type.",
                f"{TOOLBAR} (Read-only for text and setup).",
            )
            continue
        if nbgrader_version(cell) != 3:
            add(
                "schema",
                where,
                "the nbgrader metadata is not schema version 3.",
                "re-set the cell type in the toolbar.",
            )
        if gid and cell.get("id") != c.cell_id(gid):
            add(
                "cell-id",
                where,
                f"the cell id is not {c.cell_id(gid)!r}.",
                "run smartseoul exercises lint --fix.",
            )
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            add(
                "outputs",
                where,
                "the cell has outputs.",
                "run smartseoul exercises lint --fix (it clears them).",
            )
        if _READS_BY_PATH.search(cell.source):
            add(
                "path",
                where,
                "the cell reads a file by its path.",
                "load data with smartseoul.data (data.load).",
            )
        found += _kind_rules(cell, kind, where, answers, name)
    found += _hint_leaks(nb, name)
    found += _hint_steps(nb, name)
    found += _points_rules(nb, name)
    text = "\n".join(cell.source for cell in nb.cells)
    if "from smartseoul import" not in text or "data.load(" not in text:
        add(
            "data",
            "setup",
            "the notebook does not load its data with smartseoul.data.",
            "use data.load(...).",
        )
    return found


def nbgrader_version(cell: Any) -> int | None:
    return c.nbgrader_meta(cell).get("schema_version")


def _kind_rules(cell: Any, kind: str, where: str, answers: set[str], name: str) -> list[Finding]:
    meta = c.nbgrader_meta(cell)
    out: list[Finding] = []

    def add(code: str, what: str, fix: str) -> None:
        out.append(Finding(code, f"{name}/{where}", what, fix))

    if kind in ("text", "setup", "test") and not meta.get("locked"):
        add("unlocked", f"this {kind} cell is not read-only.", "lock it (Read-only in the toolbar).")
    if kind in ("answer", "written"):
        inside, _ = c.regions(cell.source, *c.SOLUTION)
        if c.SOLUTION[0] not in cell.source or c.SOLUTION[1] not in cell.source or not inside:
            add(
                "solution",
                "the solution is not between ### BEGIN SOLUTION and ### END SOLUTION.",
                "add both lines.",
            )
    if kind == "answer":
        skill = cell.get("metadata", {}).get("smartseoul", {}).get("skill")
        if skill not in c.SKILLS:
            add(
                "skill",
                f"the answer names no skill (metadata smartseoul.skill is {skill!r}).",
                f"set it to one of {', '.join(c.SKILLS)} (Edit > Edit Notebook Metadata... on the cell).",
            )
    if kind in ("test", "written") and not float(meta.get("points") or 0) > 0:
        add("points", "the cell is worth no points.", "set its points in the toolbar.")
    if kind == "test":
        gid = meta.get("grade_id", "")
        if not gid.endswith("_test") or gid[: -len("_test")] not in answers:
            add(
                "orphan-test",
                f"the test {gid!r} belongs to no answer cell.",
                "name it <answer id>_test after the answer cell it checks.",
            )
        visible, _, hidden = cell.source.partition(c.HIDDEN[0])
        if not hidden.split(c.HIDDEN[1])[0].strip():
            add("hidden", "the test has no hidden tests.", "add checks between the HIDDEN TESTS lines.")
        if "checks.need(" not in visible:
            add(
                "need",
                "the visible checks do not start with checks.need(...).",
                "so a blank answer fails cleanly.",
            )
    return out


def solution_fragments(nb: nbformat.NotebookNode) -> set[str]:
    """Specific pieces of every solution: whole lines, and the right-hand side of assignments."""
    out: set[str] = set()
    for cell in nb.cells:
        if c.kind(cell) != "answer":
            continue
        inside, _ = c.regions(cell.source, *c.SOLUTION)
        for line in inside:
            code = line.split("#", 1)[0].strip()
            for piece in (
                code,
                code.split("=", 1)[1].strip() if re.match(r"^[\w\[\]\"', ]+=[^=]", code) else "",
            ):
                squeezed = _squeeze(piece)
                if len(squeezed) >= MIN_LEAK and "(" in squeezed:  # a call, not just a column name
                    out.add(squeezed)
    return out


def hints(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(grade id, text) of everything a trainee reads while working: the hint boxes, and the
    whole visible part of each test cell (its code, hints and messages are all on screen)."""
    out = []
    for cell in nb.cells:
        kind = c.kind(cell)
        if kind == "text":
            out += [(c.grade_id(cell), m) for m in _HINT_BLOCK.findall(cell.source)]
        elif kind == "test":
            out.append((c.grade_id(cell), cell.source.partition(c.HIDDEN[0])[0]))
    return out


def _squeeze(text: str) -> str:
    return re.sub(r"[\s`]+", "", text)


def _hint_leaks(nb: nbformat.NotebookNode, name: str) -> list[Finding]:
    fragments = solution_fragments(nb)
    out = []
    for gid, text in hints(nb):
        squeezed = _squeeze(text)
        for piece in sorted(fragments):
            if piece in squeezed:
                out.append(
                    Finding(
                        "hint-leak",
                        f"{name}/{gid}",
                        f"a hint gives a line of the solution ({piece[:60]!r}).",
                        "name the method or the idea in the hint, not the finished code.",
                    )
                )
                break
    return out


def _hint_steps(nb: nbformat.NotebookNode, name: str) -> list[Finding]:
    """Each autograded question's task gives its hints in steps, one <details> box each: Hint 1
    (the idea), Hint 2 (which functions), Hint 3 (a pattern to complete), in that order."""
    tasks = {c.grade_id(cell): cell for cell in nb.cells if c.kind(cell) == "text"}
    out = []
    for q in c.questions(nb):
        task = tasks.get(f"{q.answer_id}_task")
        steps = [s.title() for s in _SUMMARIES.findall(task.source)] if task is not None else []
        if steps[: len(HINT_STEPS)] != list(HINT_STEPS):
            out.append(
                Finding(
                    "hint-steps",
                    f"{name}/{q.answer_id}_task",
                    f"the hints of question {q.answer_id!r} are not in three steps (found {steps or 'none'}).",
                    "give three <details> boxes, each inside the one before: <summary>Hint 1: the idea</summary>, "
                    "<summary>Hint 2: which functions</summary>, <summary>Hint 3: a pattern to complete</summary>.",
                )
            )
    return out


def _points_rules(nb: nbformat.NotebookNode, name: str) -> list[Finding]:
    """The Points line of the introduction agrees with the cells' metadata."""
    qs, written = c.questions(nb), c.written_answers(nb)
    auto = sum(q.points for q in qs)
    intro = _squeeze_spaces(nb.cells[0].source) if nb.cells else ""
    line = _POINTS_LINE.search(intro)
    if not line:
        return [
            Finding(
                "points-line",
                f"{name}/intro",
                "the introduction has no line '**Points:** N automatically graded questions (P points) "
                "and N written answer (P points): T points in all.'",
                "add it, so trainees know what each part is worth.",
            )
        ]
    n_auto, p_auto, each, n_written, p_written, total = line.groups()
    stated_auto = float(p_auto) * (int(n_auto) if each else 1)
    wrong = []
    if int(n_auto) != len(qs) or stated_auto != auto:
        wrong.append(
            f"{n_auto} autograded questions worth {stated_auto:g} (the cells: {len(qs)}, worth {auto:g})"
        )
    if int(n_written) != len(written) or float(p_written) != sum(p for _, p in written):
        wrong.append(
            f"{n_written} written worth {p_written} (the cells: {len(written)}, worth {sum(p for _, p in written):g})"
        )
    if float(total) != auto + sum(p for _, p in written):
        wrong.append(f"{total} in all (the cells: {auto + sum(p for _, p in written):g})")
    if not wrong:
        return []
    return [
        Finding(
            "points-line",
            f"{name}/intro",
            "the Points line disagrees with the cells: it says " + "; ".join(wrong) + ".",
            "correct the Points line of the introduction (or the points of the cells).",
        )
    ]


def _squeeze_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def lint_course(exercises_dir: Path, names: list[str] | None = None, fix: bool = False) -> list[Finding]:
    names = names or c.assignments(exercises_dir)
    found: list[Finding] = []
    for assignment in names:
        path = c.source_path(exercises_dir, assignment)
        if not path.exists():
            found.append(
                Finding(
                    "missing",
                    assignment,
                    f"there is no {path.relative_to(exercises_dir.parent)}.",
                    f"choose one of: {', '.join(c.assignments(exercises_dir))}.",
                )
            )
            continue
        found += lint_path(path, fix=fix)
    return found


def check_solutions(exercises_dir: Path, names: list[str], timeout: int = 600) -> list[Finding]:
    """Run each source notebook, solutions included, from a fresh kernel: every test cell must
    pass. This is what a trainee with the right answers sees, before any nbgrader step."""
    from nbclient import NotebookClient

    found: list[Finding] = []
    for assignment in names:
        path = c.source_path(exercises_dir, assignment)
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
        for cell in nb.cells:
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors and c.kind(cell) in ("setup", "answer", "test"):
                err = errors[0]
                found.append(
                    Finding(
                        "solution-fails",
                        f"{assignment}/{c.grade_id(cell)}",
                        f"with the solutions in place this {c.kind(cell)} cell fails: {err.get('ename')}: "
                        f"{str(err.get('evalue', ''))[:200]}",
                        "correct the solution or the test, run the notebook in JupyterLab, then check again.",
                    )
                )
    return found
