"""A blank submission must never forge marks. One batch with real nbgrader: a correct and a blank
control, and one blank submission per attack class on the grade itself (submissions.FORGERIES).
Tests run in the judge, outside the trainee's kernel, so each attack earns exactly 0 points,
gets a flag with a readable reason, and leaves every other submission untouched."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import nbformat
import pytest
from grading_helpers import ASSIGNMENT, totals, write_batch

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-forgery")]

ATTACKS = {  # kind -> the flag codes that must explain it
    "forge-hooks": {"tamper"},
    "forge-messaging": {"tamper"},
    "forge-builtins": {"tamper"},
    "always-equal": {"unreadable-answer"},
    "lookalike": {"unreadable-answer"},
    "points-overflow": {"test-edited"},
    "leak-tests": {"attempt"},
    "litter": {"litter"},
    "error-flood": {"output-flood"},
    "xss": {"unsafe-content"},
}
KINDS = ["correct", "blank", *ATTACKS, "correct"]
HIDDEN = ["double(-3) == -6", "hidden: Seoul has 25 gu", "mean_speed([30]) == 30", "7 / 3"]


def _shm_keys() -> set[str]:
    try:
        lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    except OSError:
        return set()
    return {ln.split()[0] for ln in lines if ln.split()}


@pytest.fixture(scope="module")
def graded(released_course, tmp_path_factory):
    from smartseoul.grading import autograde, feedback, intake
    from smartseoul.grading.course import Course
    from smartseoul.grading.sandbox import Limits

    base = tmp_path_factory.mktemp("forgery") / "course"
    shutil.copytree(released_course, base)
    course = Course.at(base)
    kinds, roster = write_batch(course, KINDS, base.parent / "subs", cell_timeout=6)
    rep = intake.intake(course, ASSIGNMENT, base.parent / "subs", roster)
    assert len(rep.accepted) == len(KINDS) and not rep.rejected
    shm_before = _shm_keys()
    limits = Limits(cell_timeout=6, notebook_timeout=40, memory_bytes=2 * 1024**3, hard_kill_grace=8)
    summary = autograde.autograde(course, ASSIGNMENT, workers=2, limits=limits)
    results = {
        s: json.loads((course.pipeline_dir(ASSIGNMENT) / "results" / f"{s}.json").read_text()) for s in kinds
    }
    paths = feedback.feedback(course, ASSIGNMENT)
    return {
        "course": course,
        "kinds": kinds,
        "summary": summary,
        "results": results,
        "scores": totals(course),
        "feedback": paths,
        "shm_before": shm_before,
        "shm_after": _shm_keys(),
    }


def _student(graded, kind):
    return next(s for s, k in graded["kinds"].items() if k == kind)


def test_controls_score_as_they_should(graded):
    correct = [s for s, k in graded["kinds"].items() if k == "correct"]
    assert all(graded["scores"][s] == 5.0 and not graded["results"][s]["flags"] for s in correct)
    assert graded["scores"][_student(graded, "blank")] == 0.0
    assert not graded["summary"].errors and not graded["summary"].rejected


@pytest.mark.parametrize("kind", list(ATTACKS))
def test_an_attack_earns_nothing_and_is_flagged_with_a_reason(graded, kind):
    st = _student(graded, kind)
    res = graded["results"][st]
    codes = {f["code"] for f in res["flags"]}
    assert graded["scores"][st] == 0.0, (kind, res["tests"])
    assert ATTACKS[kind] <= codes, res["flags"]
    assert res["state"] == "graded-with-flags"
    assert all(len(f["message"]) > 20 for f in res["flags"])


def test_test_cells_carry_only_the_judges_outputs(graded):
    """nbgrader scores test-cell outputs: none of them may come from the kernel (no 'full marks',
    no 99, no execute_result at all)."""
    course = graded["course"]
    for kind in ATTACKS:
        st = _student(graded, kind)
        nb = nbformat.read(course.autograded_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade") and cell.cell_type == "code":
                kinds = {o["output_type"] for o in cell.outputs}
                assert "execute_result" not in kinds and "display_data" not in kinds, (kind, cell.outputs)
                assert "error" in kinds, (kind, cell.outputs)


def test_no_hidden_test_reaches_feedback_even_encoded(graded):
    course = graded["course"]
    st = _student(graded, "leak-tests")
    nb = nbformat.read(course.autograded_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb", as_version=4)
    printed = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    payloads = re.findall(r"LEAK:([A-Za-z0-9+/=]+)", printed)
    assert payloads, "the leak attack should have printed what it saw"
    seen = "\n".join(zlib.decompress(base64.b64decode(p)).decode("utf-8", "replace") for p in payloads)
    assert "double(2) == 4" not in seen  # not even the visible tests reach the kernel
    for line in HIDDEN:
        assert line not in seen
    for path in graded["feedback"]:
        text = path.read_text()
        assert not any(line in text for line in HIDDEN)
        for blob in re.findall(r"[A-Za-z0-9+/]{40,}={0,2}", text):
            try:
                decoded = base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8", "ignore")
            except ValueError:
                continue
            assert not any(line in decoded for line in HIDDEN), path


def test_litter_stays_inside_grading(graded):
    from smartseoul.testing.submissions import LITTER_KEY, LITTER_NAME

    st = _student(graded, "litter")
    nb = nbformat.read(graded["course"].autograded_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb", as_version=4)
    printed = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "LITTER-SHM" in printed  # the attack ran
    if graded["summary"].level in ("full", "userns"):
        assert f"0x{LITTER_KEY:08x}" not in graded["shm_after"] and str(LITTER_KEY) not in graded["shm_after"]
        for folder in ("/run/lock", "/dev/shm", "/var/tmp", "/tmp"):
            assert not (Path(folder) / LITTER_NAME).exists(), folder
        ipcs = subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout
        assert f"0x{LITTER_KEY:08x}" not in ipcs


def test_error_flood_is_capped(graded):
    course = graded["course"]
    st = _student(graded, "error-flood")
    nb_path = course.autograded_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
    assert nb_path.stat().st_size < 5 * 1024**2
    fb = course.feedback_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.html"
    assert fb.stat().st_size < 5 * 1024**2


def test_control_the_attacks_are_real_against_plain_nbgrader(released_course, tmp_path):
    """The planted failure: plain `nbgrader autograde`, which scores whatever the kernel displays,
    gives these blank submissions marks. The same files earn 0 through the pipeline (above)."""
    from smartseoul.grading.course import Course, nbgrader

    course = Course.at(shutil.copytree(released_course, tmp_path / "course"))
    kinds, _ = write_batch(course, ["forge-hooks", "forge-messaging"], tmp_path / "subs", cell_timeout=6)
    for student in kinds:
        target = course.submitted_dir(student, ASSIGNMENT)
        target.mkdir(parents=True)
        shutil.copy2(tmp_path / "subs" / f"{student}_{ASSIGNMENT}.ipynb", target / f"{ASSIGNMENT}.ipynb")
    nbgrader(course, "autograde", ASSIGNMENT, "--force", "--ExecutePreprocessor.timeout=30")
    scores = totals(course)
    assert scores, "plain nbgrader graded nothing"
    assert all(scores[s] > 0 for s in kinds), scores


def test_scripts_never_reach_formgrader_or_feedback(graded):
    """A written answer with a script, an event handler and a javascript: link, and HTML and
    JavaScript outputs: formgrader shows the autograded notebook, trainees get the feedback.
    (The attack's own code cell is shown as escaped text, which is harmless.)"""
    course = graded["course"]
    st = _student(graded, "xss")
    nb = nbformat.read(course.autograded_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb", as_version=4)
    rendered = [c.source for c in nb.cells if c.cell_type == "markdown"]
    rendered += [json.dumps(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("My answer." in r for r in rendered)  # the answer itself is kept for grading
    fb = (course.feedback_dir(st, ASSIGNMENT) / f"{ASSIGNMENT}.html").read_text()
    for bad in ("<script>alert", "onerror", "javascript:alert", "xss-js", "application/javascript"):
        assert not any(bad in r for r in rendered), f"{bad} in what formgrader renders"
    live = _live_scripts(fb)
    assert not [x for x in live if "xss" in x or "alert" in x], live
    assert "My answer." in fb


def _live_scripts(page: str) -> list[str]:
    """What a browser would run: <script> bodies, on* handlers, javascript: URLs (code shown as
    escaped text is not parsed as elements, so it does not count)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class P(HTMLParser):
        in_script = False

        def handle_starttag(self, tag, attrs):
            self.in_script = tag == "script"
            for k, v in attrs:
                if k.lower().startswith("on") or (v or "").strip().lower().startswith("javascript:"):
                    found.append(f"{tag} {k}={v}")

        def handle_data(self, data):
            if self.in_script:
                found.append(data)

        def handle_endtag(self, tag):
            self.in_script = False

    P().feed(page)
    return found
