"""Per-trainee HTML feedback: which checks passed or failed and their messages, never the source
of hidden tests.

Built from nbgrader's autograded notebook and the gradebook's scores, after three redactions:
test cells show only their visible part (as released), tracebacks are cut to `Error: message`
(a traceback would quote the failing hidden line), and any hidden-test line that still appears
in an output (a trainee can print the kernel's input history) is replaced by "[hidden test]".
Written to nbgrader's own place, `feedback/<student>/<assignment>/<notebook>.html`.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from ..render import render
from . import journal
from .course import Course, GradingError
from .rebuild import Template, grade_id, is_test, load_template

HIDDEN = "[hidden test]"


def _redact_text(text: str, hidden: list[str]) -> str:
    for line in hidden:
        core = line.strip()
        if len(core) >= 6 and core in text:
            text = text.replace(core, HIDDEN)
    return text


def redact(nb: nbformat.NotebookNode, template: Template) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    visible = {grade_id(c): c.source for c in template.release.cells if grade_id(c)}
    hidden = template.hidden_lines()
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid and is_test(cell) and gid in visible:
            cell.source = visible[gid]
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["evalue"] = _redact_text(str(out.get("evalue", "")), hidden)
                out["traceback"] = [f"{out.get('ename', 'Error')}: {out['evalue']}"]
            elif out.get("output_type") == "stream":
                out["text"] = _redact_text(out.get("text", ""), hidden)
            elif "data" in out:
                for mime in list(out["data"]):
                    if mime.startswith("text/") or mime == "application/json":
                        val = out["data"][mime]
                        val = "".join(val) if isinstance(val, list) else str(val)
                        out["data"][mime] = _redact_text(val, hidden)
    return nb


def _verdict(r: dict) -> str:
    if r["kind"] == "manual":
        return "graded by instructor" if r["manual"] else "awaiting instructor"
    return "passed" if r["score"] >= r["max_score"] > 0 else "failed" if r["score"] == 0 else "partly"


def _summary_cell(student: str, rows: list[dict], result: dict | None) -> nbformat.NotebookNode:
    text = render(
        "feedback_summary.md.j2",
        student=student,
        total=sum(r["score"] for r in rows),
        possible=sum(r["max_score"] for r in rows),
        rows=[{**r, "verdict": _verdict(r), "message": r.get("message") or ""} for r in rows],
        flags=(result or {}).get("flags", []),
    )
    return nbformat.v4.new_markdown_cell(text.rstrip("\n"))


_EXPORTER: list = []


def _exporter():
    """One HTML exporter for the whole batch (building one costs about a second)."""
    if not _EXPORTER:
        from nbconvert import HTMLExporter

        # nbconvert's own sanitize_html escapes every heading and paragraph of the page; the
        # notebook it renders was already cleaned with nh3 when it was scored (sanitize.py)
        _EXPORTER.append(HTMLExporter(template_name="lab"))
    return _EXPORTER[0]


def feedback_for(course: Course, assignment: str, student: str, templates: dict[str, Template]) -> list[Path]:
    from nbgrader.api import Gradebook, MissingEntry

    written = []
    auto_dir = course.autograded_dir(student, assignment)
    result = journal.load_result(course, assignment, student)
    for path in sorted(auto_dir.glob("*.ipynb")):
        name = path.stem
        if name not in templates:
            templates[name] = load_template(course, assignment, name)
        template = templates[name]
        nb = redact(nbformat.read(path, as_version=4), template)
        messages = {}
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid and is_test(cell):
                errs = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                messages[gid] = errs[-1]["traceback"][0] if errs else "all checks passed"
        rows = []
        with Gradebook(course.db_url, course_id=course.course_id) as gb:
            try:
                sub = gb.find_submission_notebook(name, assignment, student)
            except MissingEntry:
                continue
            for g in sorted(
                sub.grades,
                key=lambda g: (
                    [c for c in template.grade_ids].index(g.name) if g.name in template.grade_ids else 99
                ),
            ):
                rows.append(
                    {
                        "grade_id": g.name,
                        "score": float(g.score or 0),
                        "max_score": float(g.max_score or 0),
                        "kind": "auto" if g.auto_score is not None and g.name in messages else "manual",
                        "manual": g.manual_score is not None,
                        "message": messages.get(g.name, ""),
                    }
                )
        nb.cells.insert(0, _summary_cell(student, rows, result))
        body, _ = _exporter().from_notebook_node(nb)
        out = course.feedback_dir(student, assignment) / f"{name}.html"
        journal.atomic_write(out, body.encode("utf-8"))
        written.append(out)
    return written


def feedback(course: Course, assignment: str, students: list[str] | None = None) -> list[Path]:
    course.check_assignment(assignment)
    base = course.grading / "autograded"
    if not base.is_dir():
        raise GradingError("nothing is autograded yet: run `smartseoul grade autograde` first.")
    students = students or sorted(d.name for d in base.iterdir() if (d / assignment).is_dir())
    templates: dict[str, Template] = {}
    out = []
    for s in students:
        out += feedback_for(course, assignment, s, templates)
    return out
