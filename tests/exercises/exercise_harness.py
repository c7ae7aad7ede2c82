"""Run the real nbgrader on a throw-away course directory holding one assignment.

Independent of the grading pipeline (src/smartseoul/grading): it copies the source notebook to
``<tmp>/source/<assignment>/``, writes a minimal nbgrader_config.py, runs
``nbgrader generate_assignment``, builds submissions (the solution as is, the blank release,
and wrong-answer rounds from ``fixtures/<assignment>/wrong.yaml``), runs ``nbgrader autograde``
once for all of them, then ``nbgrader generate_feedback``, and reads the scores from the
gradebook with ``nbgrader.api.Gradebook``.
"""

from __future__ import annotations

import copy
import html
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from smartseoul.exercises import cells
from smartseoul.nbgrader_runner import NbgraderFailed, run_nbgrader

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

CONFIG = r'''
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "exercise-invariants"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Execute.timeout = 120


class KeepOnlyErrorMessages(Preprocessor):
    """Tracebacks quote the failing line of a hidden test: keep only 'Name: message'."""

    enabled = True

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [out.get("ename", "Error") + ": " + out.get("evalue", "")]
        return cell, resources


# Feedback as trainees must see it: hidden tests removed from the test cells, tracebacks
# reduced to their message (plain nbgrader feedback would show both).
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, KeepOnlyErrorMessages,
                                    CSSHTMLHeaderPreprocessor]
'''


def assignments() -> list[str]:
    return cells.assignments(EXERCISES)


def source_notebook(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(cells.source_path(EXERCISES, assignment), as_version=4)


# one reading of the cells, shared with `smartseoul exercises lint`
nbgrader_meta = cells.nbgrader_meta
Question = cells.Question
questions = cells.questions
manual_cells = cells.written_answers


def _fixtures(assignment: str) -> dict[str, list]:
    path = FIXTURES / assignment / "wrong.yaml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def wrong_answers(assignment: str) -> dict[str, list[str]]:
    return {
        qid: [w["code"] if isinstance(w, dict) else w for w in items]
        for qid, items in _fixtures(assignment).items()
    }


def wrong_messages(assignment: str) -> dict[str, list[str | None]]:
    """The targeted message of each wrong answer (the `message` of its fixture): a piece of the
    check's text that names the misconception, which the trainee must see for that answer."""
    return {
        qid: [w.get("message") if isinstance(w, dict) else None for w in items]
        for qid, items in _fixtures(assignment).items()
    }


def error_text(cell: nbformat.NotebookNode) -> str:
    """What a test cell's error outputs say (its failure message), as one text."""
    return "\n".join(
        f"{o.get('ename', '')}: {o.get('evalue', '')}"
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    )


def region_lines(nb: nbformat.NotebookNode, begin: str, end: str) -> tuple[set[str], set[str]]:
    """Lines inside begin/end regions and lines outside them (stripped, non-empty)."""
    inside: set[str] = set()
    outside: set[str] = set()
    for c in nb.cells:
        ins, outs = cells.regions(c.source, begin, end)
        inside |= {line.strip() for line in ins if line.strip()}
        outside |= {line.strip() for line in outs if line.strip()}
    return inside, outside


def secret_lines(nb: nbformat.NotebookNode) -> dict[str, set[str]]:
    """Distinctive lines of the solutions and of the hidden tests: long enough to be specific and
    not also present in the parts students are meant to see."""
    sol, sol_out = region_lines(nb, "### BEGIN SOLUTION", "### END SOLUTION")
    hid, hid_out = region_lines(nb, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
    public = sol_out & hid_out
    return {
        "solution": {s for s in sol if len(s) >= 12 and s not in public and not s.startswith("#")},
        "hidden": {s for s in hid if len(s) >= 12 and s not in public and not s.startswith("#")},
    }


def leaked(secrets: set[str], text: str) -> list[str]:
    """Secret lines found in a text: equal to one of its lines, or (when long enough to be
    specific) anywhere inside it."""
    lines = {line.strip() for line in text.splitlines()}
    return sorted(s for s in secrets if s in lines or (len(s) >= 40 and s in text))


def visible_text(path: Path) -> str:
    """The text a person sees: notebook cell sources, or feedback HTML without tags."""
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        parts = []
        for c in nb.cells:
            parts.append(c.source)
            for o in c.get("outputs", []):
                parts.append(str(o.get("text", "")))
                parts.extend(o.get("traceback", []))
                parts.append(str(o.get("data", {}).get("text/plain", "")))
        return "\n".join(parts)
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<style.*?</style>|<script.*?</script>", "", raw, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def replace_answers(nb: nbformat.NotebookNode, replacements: dict[str, str]) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    seen = set()
    for c in nb.cells:
        gid = nbgrader_meta(c).get("grade_id")
        if gid in replacements:
            c.source = replacements[gid]
            seen.add(gid)
    missing = set(replacements) - seen
    if missing:
        raise KeyError(f"no answer cell with grade_id {sorted(missing)}")
    return nb


@dataclass
class Graded:
    assignment: str
    course: Path
    release: Path
    questions: list[Question]
    manual: list[tuple[str, float]]
    rounds: dict[str, dict[str, str]] = field(default_factory=dict)  # student -> {answer_id: "wrong"|"right"}
    picks: dict[str, dict[str, int | None]] = field(
        default_factory=dict
    )  # student -> {answer_id: fixture no.}
    scores: dict[str, dict[str, float | None]] = field(
        default_factory=dict
    )  # student -> {test_id: auto_score}
    max_scores: dict[str, float] = field(default_factory=dict)
    log: str = ""

    def feedback(self, student: str) -> Path:
        return self.course / "feedback" / student / self.assignment / f"{self.assignment}.html"

    def autograded(self, student: str) -> Path:
        return self.course / "autograded" / student / self.assignment / f"{self.assignment}.ipynb"


def _nbgrader(course: Path, *args: str) -> str:
    env = {"SMARTSEOUL_HOME": str(ROOT), "MPLBACKEND": "Agg"}
    try:
        proc = run_nbgrader(args, cwd=course, env=env, timeout=900)
    except NbgraderFailed as exc:
        # A kernel that dies before its first reply failed to start, which says nothing about the
        # exercise (seen once in CI with two workers; most likely a TCP port taken by another
        # test's kernel). Run nbgrader once more. Any other failure, or the same one twice, still
        # fails the test.
        if KERNEL_START_RACE not in str(exc):
            raise
        proc = run_nbgrader(args, cwd=course, env=env, timeout=900)
    return proc.stdout + proc.stderr


KERNEL_START_RACE = "Kernel died before replying to kernel_info"


def wrong_rounds(qs: list[Question], wrong: dict[str, list[str]]) -> dict[str, dict[str, int | None]]:
    """Submissions that each carry wrong answer number k in every other question (odd or even
    positions) and the solution elsewhere, so every wrong answer is tried next to correct ones."""
    depth = max((len(v) for v in wrong.values()), default=0)
    rounds: dict[str, dict[str, int | None]] = {}
    for k in range(depth):
        for parity in (0, 1):
            plan = {}
            for i, q in enumerate(qs):
                picks = wrong.get(q.answer_id, [])
                plan[q.answer_id] = k if (i % 2 == parity and k < len(picks)) else None
            if any(v is not None for v in plan.values()):
                rounds[f"wrong{k + 1}-{'odd' if parity == 0 else 'even'}"] = plan
    return rounds


def grade_assignment(assignment: str, workdir: Path) -> Graded:
    from nbgrader.api import Gradebook

    course = workdir / "course"
    src_dir = course / "source" / assignment
    src_dir.mkdir(parents=True)
    shutil.copy2(EXERCISES / assignment / f"{assignment}.ipynb", src_dir / f"{assignment}.ipynb")
    (course / "nbgrader_config.py").write_text(CONFIG.format(root=str(course)), encoding="utf-8")
    log = _nbgrader(course, "generate_assignment", assignment, "--force")
    release = course / "release" / assignment / f"{assignment}.ipynb"

    source = source_notebook(assignment)
    student_nb = nbformat.read(release, as_version=4)
    qs = questions(source)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if nbgrader_meta(c).get("grade_id") in {q.answer_id for q in qs}
    }
    wrong = wrong_answers(assignment)

    graded = Graded(assignment, course, release, qs, manual_cells(source))
    submissions: dict[str, nbformat.NotebookNode] = {
        "solution": source,
        "blank": student_nb,
    }
    for name, plan in wrong_rounds(qs, wrong).items():
        repl = {qid: (wrong[qid][k] if k is not None else solutions[qid]) for qid, k in plan.items()}
        submissions[name] = replace_answers(student_nb, repl)
        graded.rounds[name] = {qid: ("wrong" if k is not None else "right") for qid, k in plan.items()}
        graded.picks[name] = dict(plan)
    for student, nb in submissions.items():
        d = course / "submitted" / student / assignment
        d.mkdir(parents=True)
        nbformat.write(nb, d / f"{assignment}.ipynb")

    log += _nbgrader(course, "autograde", assignment, "--force")
    log += _nbgrader(course, "generate_feedback", assignment, "--force")
    graded.log = log

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in submissions:
            sub = gb.find_submission_notebook(assignment, assignment, student)
            graded.scores[student] = {g.name: g.auto_score for g in sub.grades}
            for g in sub.grades:
                graded.max_scores[g.name] = g.max_score
    return graded
