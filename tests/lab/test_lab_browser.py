"""The course in a real browser: Debian's Chromium driving JupyterLab on 127.0.0.1.

A trainee opens the module 0 notebook, runs all cells and sees a figure; an instructor opens the
formgrader from JupyterLab's Nbgrader menu, sees every assignment, opens a collected and
autograded submission, grades its written answer by hand, sees the total change, and the score
is in nbgrader's gradebook. Everything runs in a temporary copy of the course laid out like the
checkout (JupyterLab root = course, started from grading/ exactly as `make lab` does).
Screenshots of each step: test-artifacts/lab/."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from smartseoul import lab

from .conftest import (
    all_course_assignments,
    course_assignment,
    fill_submission,
    module_zero_notebook,
    nbgrader_meta,
    read_nb,
    written_answer_cells,
)

CHROMIUM = lab.find_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("lab-browser"),
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium found: install Debian's browser with `apt-get install chromium` "
        "(.ci/run does this) or point SMARTSEOUL_CHROMIUM at a Chromium binary",
    ),
]

STUDENT = "trainee01"
WRITTEN = (
    "Open bike-station counts let residents plan trips and let researchers and companies "
    "check where the city should add stations."
)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A temporary course: module 0 notebook, every assignment, and one submission of the
    first assignment collected and autograded by real nbgrader."""
    root = tmp_path_factory.mktemp("lab-course")
    assignment = course_assignment()
    folders = {p.name: p for p in [*all_course_assignments(), assignment]}
    module_nb = module_zero_notebook()
    grading = lab.copy_course(root, list(folders.values()), module_notebooks=[module_nb])
    name = assignment.name
    info = lab.nbgrader_paths(grading, [name])[name]

    lab.run_nbgrader(["generate_assignment", name, "--force"], cwd=grading)
    release_nb = read_nb(Path(info["release"]) / f"{name}.ipynb")
    source_nb = read_nb(Path(info["source"]) / f"{name}.ipynb")
    submitted = Path(info["root"]) / "submitted" / STUDENT / name
    submitted.mkdir(parents=True)
    nbformat.write(fill_submission(release_nb, source_nb, correct=True, written=WRITTEN), str(submitted / f"{name}.ipynb"))
    (submitted / "timestamp.txt").write_text("2026-03-02 09:00:00.000000 UTC\n")
    lab.run_nbgrader(["autograde", name, "--force"], cwd=grading, timeout=900)

    written = written_answer_cells(source_nb)
    assert written, f"{name} has no answer graded by hand: the course requires one per assignment"
    return {
        "root": root,
        "grading": grading,
        "assignment": name,
        "assignments": sorted(folders),
        "module_nb": root / "modules" / module_nb.parent.name / module_nb.name,
        "db_url": info["db_url"],
        "written": written[0],
    }


@pytest.fixture(scope="module")
def server(course, tmp_path_factory, artifacts_dir):
    state = tmp_path_factory.mktemp("lab-state")
    try:
        with lab.running_lab(course["root"], cwd=course["grading"], state_dir=state) as running:
            yield running
    finally:
        if (state / "jupyterlab.log").exists():
            shutil.copy(state / "jupyterlab.log", artifacts_dir / "jupyterlab.log")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=lab.CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def _code_cell_prompts(page) -> list[str]:
    """Execution prompts of the non-empty code cells, e.g. ['[1]:', '[*]:', '[ ]:']."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'))
              .filter(c => (c.querySelector('.cm-content')?.textContent || '').trim().length > 0)
              .map(c => (c.querySelector('.jp-InputArea-prompt')?.textContent || '').trim())"""
    )


def test_trainee_runs_module_zero_and_sees_a_figure(server, course, page, artifacts_dir):
    rel = course["module_nb"].relative_to(course["root"]).as_posix()
    page.goto(server.link(f"lab/tree/{rel}"))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.screenshot(path=str(artifacts_dir / "01-module0-opened.png"))
    assert page.locator(".jp-OutputArea-output img").count() == 0, "the committed notebook must have no outputs"

    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator("#jp-mainmenu-run li[data-command='runmenu:run-all']").click()

    deadline = time.monotonic() + 600
    prompts = _code_cell_prompts(page)
    while time.monotonic() < deadline:
        prompts = _code_cell_prompts(page)
        if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            break
        if any(p == "[ ]:" for p in prompts) and not any(p == "[*]:" for p in prompts):
            break  # Run All stopped at an error: later cells never ran
        time.sleep(1)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").filter(
        has_text=re.compile(r"Traceback|Error")
    )
    page.screenshot(path=str(artifacts_dir / "02-module0-ran.png"), full_page=True)
    assert prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), (
        f"not every code cell ran: prompts {prompts}; first error: "
        f"{errors.first.inner_text()[:2000] if errors.count() else 'none shown'}"
    )
    figure = page.locator(".jp-OutputArea-output img").first
    figure.wait_for(state="visible", timeout=30_000)
    figure.scroll_into_view_if_needed()
    box = figure.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, f"the figure is too small to be a chart: {box}"
    page.screenshot(path=str(artifacts_dir / "03-module0-figure.png"))


def _formgrader_frame(page, server):
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator("#jp-mainmenu-nbgrader li[data-command='nbgrader:open-formgrader']").click()
    page.wait_for_selector("iframe")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        frames = [f for f in page.frames if "/formgrader" in f.url]
        if frames:
            return frames[0]
        time.sleep(0.2)
    raise AssertionError("the Formgrader tab did not load /formgrader")


def test_instructor_grades_a_written_answer_in_the_formgrader(server, course, page, artifacts_dir):
    from nbgrader.api import Gradebook

    name, student = course["assignment"], STUDENT
    written = course["written"]
    grade_id = nbgrader_meta(written)["grade_id"]
    max_points = float(nbgrader_meta(written)["points"])
    given = max(max_points - 1, 0.5) if max_points >= 1 else max_points

    with Gradebook(course["db_url"]) as gb:
        before = gb.find_submission(name, student)
        score_before, max_score = before.score, before.max_score
        assert gb.find_grade(grade_id, name, name, student).manual_score is None

    page.goto(server.link("lab"))
    page.wait_for_selector("#jp-MainMenu")
    frame = _formgrader_frame(page, server)
    # Every assignment of the course is listed.
    deadline = time.monotonic() + 60
    while True:
        listed = frame.locator("#main-table").inner_text() if frame.locator("#main-table").count() else ""
        missing = [a for a in course["assignments"] if a not in listed]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    page.screenshot(path=str(artifacts_dir / "04-formgrader-assignments.png"))
    assert not missing, f"the formgrader does not list {missing}; it shows:\n{listed[:2000]}"

    # Manual grading: the assignment's notebook, then the submission.
    frame.goto(f"{server.url}/formgrader/gradebook/{name}/{name}")
    frame.wait_for_selector("td.name a", timeout=60_000)
    row_before = frame.locator("td.score").first.inner_text()
    frame.locator("td.name a:visible").first.click()
    score_box = frame.locator(f"input.score#{grade_id}")
    score_box.wait_for(state="visible", timeout=60_000)
    page.screenshot(path=str(artifacts_dir / "05-submission-opened.png"))
    score_box.fill(f"{given:g}")
    score_box.press("Tab")

    deadline = time.monotonic() + 20
    manual = None
    while time.monotonic() < deadline:
        with Gradebook(course["db_url"]) as gb:
            manual = gb.find_grade(grade_id, name, name, student).manual_score
        if manual is not None:
            break
        time.sleep(0.3)
    page.screenshot(path=str(artifacts_dir / "06-written-answer-graded.png"))
    assert manual == pytest.approx(given), f"the gradebook holds {manual!r} for {grade_id}, expected {given}"

    with Gradebook(course["db_url"]) as gb:
        after = gb.find_submission(name, student)
        score_after = after.score
    assert score_after == pytest.approx(score_before + given), (score_before, given, score_after)

    # The total shown to the instructor follows.
    frame.goto(f"{server.url}/formgrader/gradebook/{name}/{name}")
    frame.wait_for_selector("td.score", timeout=60_000)
    row_after = frame.locator("td.score").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "07-total-updated.png"))
    shown = [float(x) for x in re.findall(r"[\d.]+", row_after)]
    assert shown[:2] == pytest.approx([score_after, max_score]), f"total shown {row_after!r} (before: {row_before!r})"
    assert row_after != row_before
