"""The course in a real browser: Debian's Chromium driving JupyterLab on 127.0.0.1.

A trainee opens a module notebook and sees its MyST as the book shows it (Try-it boxes with their
titles, footnotes, no raw directive text; Hangul drawn with a Korean font), opens the module 0
notebook, runs all cells and sees a figure, and fetches the released
assignment from JupyterLab's Assignments panel; an instructor opens the
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

from smartseoul.browser import NO_CHROMIUM
from smartseoul.testing import lab

from .conftest import (
    ADMONITION,
    FOOTNOTE,
    all_course_assignments,
    course_assignment,
    fill_submission,
    markdown_sources,
    module_zero_notebook,
    myst_notebook,
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
        reason=NO_CHROMIUM,
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
    myst_nb = myst_notebook()
    grading = lab.copy_course(
        root, list(folders.values()), module_notebooks=list(dict.fromkeys([module_nb, myst_nb]))
    )
    name = assignment.name
    info = lab.nbgrader_paths(grading, [name])[name]

    lab.run_nbgrader(["generate_assignment", name, "--force"], cwd=grading)
    release_nb = read_nb(Path(info["release"]) / f"{name}.ipynb")
    source_nb = read_nb(Path(info["source"]) / f"{name}.ipynb")
    submitted = Path(info["root"]) / "submitted" / STUDENT / name
    submitted.mkdir(parents=True)
    nbformat.write(
        fill_submission(release_nb, source_nb, correct=True, written=WRITTEN),
        str(submitted / f"{name}.ipynb"),
    )
    (submitted / "timestamp.txt").write_text("2026-03-02 09:00:00.000000 UTC\n")
    lab.run_nbgrader(["autograde", name, "--force"], cwd=grading, timeout=900)

    written = written_answer_cells(source_nb)
    assert written, f"{name} has no answer graded by hand: the course requires one per assignment"

    # The same machine as a hub would see it: the shipped hub configuration, an exchange, and
    # the assignment released into it (so the Assignments panel has something to offer).
    hub_env = {
        **lab.hub_environment(lab.create_exchange(root / "exchange"), info["course_id"], instructor=True),
        "SMARTSEOUL_COURSE_ROOT": str(grading),
    }
    lab.run_nbgrader(["release_assignment", name, "--force"], cwd=grading, env=hub_env)
    return {
        "hub_env": hub_env,
        "root": root,
        "grading": grading,
        "assignment": name,
        "assignments": sorted(folders),
        "module_nb": root / "modules" / module_nb.parent.name / module_nb.name,
        "myst_nb": root / "modules" / myst_nb.parent.name / myst_nb.name,
        "db_url": info["db_url"],
        "written": written[0],
    }


@pytest.fixture(scope="module")
def server(course, tmp_path_factory, artifacts_dir):
    state = tmp_path_factory.mktemp("lab-state")
    try:
        with lab.running_lab(
            course["root"], cwd=course["grading"], state_dir=state, env=course["hub_env"]
        ) as running:
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


def _accept_kernel_dialog(page, wait: float = 3.0) -> None:
    """If JupyterLab asks which kernel to use, take the notebook's own (what a trainee does)."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.wait_for(state="visible", timeout=wait * 1000)
    except Exception:
        return
    dialog.locator("button.jp-mod-accept").click()
    dialog.wait_for(state="detached", timeout=30_000)


def _open_notebook(page, server, course, path: Path) -> None:
    """Open a notebook of the course copy and wait until its markdown cells are in the page."""
    rel = path.relative_to(course["root"]).as_posix()
    page.goto(server.link(f"lab/tree/{rel}"))
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=90_000)
    _accept_kernel_dialog(page)


def _wait_until_settled(page, quiet_ms: int = 1000, limit_ms: int = 20_000) -> None:
    """Wait until nothing in the notebook has changed for ``quiet_ms`` (jupyterlab-myst renders a
    cell more than once, replacing its elements), or ``limit_ms`` at most."""
    page.evaluate(
        """([quiet, limit]) => new Promise(resolve => {
              const nb = document.querySelector('.jp-Notebook');
              let timer;
              const done = () => { observer.disconnect(); resolve(true); };
              const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
              observer.observe(nb, {subtree: true, childList: true});
              timer = setTimeout(done, quiet);
              setTimeout(done, limit);
           })""",
        [quiet_ms, limit_ms],
    )


def _rendered_markdown(page) -> list[str]:
    """What each markdown cell shows once rendered (not its source, which the hidden editor keeps)."""
    return page.evaluate(
        """(sel) => Array.from(document.querySelectorAll('.jp-Notebook .jp-MarkdownCell')).map(cell =>
              Array.from(cell.querySelectorAll(sel.replace('.jp-MarkdownCell ', ':scope ')))
                   .map(e => e.textContent).join('\\n'))""",
        lab.RENDERED_MARKDOWN,
    )


#: Source text that must never reach the page: directive names, their options, code fences.
RAW_MYST = re.compile(r":class:|\{admonition\}|\{(note|tip|warning|important|dropdown)\}|```|:::")


def test_module_notebook_shows_myst_as_the_book_does(server, course, page, artifacts_dir):
    """jupyterlab-myst renders the course's MyST in JupyterLab: every admonition is a box with its
    title (a Try-it box among them), a footnote is a numbered link that shows its text, and no raw
    `{admonition}`, `:class:` or `[^name]` is left in what the trainee sees."""
    path = course["myst_nb"]
    markdown = markdown_sources(path)
    source = "\n\n".join(markdown)
    boxes = len(ADMONITION.findall(source))
    label = FOOTNOTE.search(source).group(1)
    definition = re.search(rf"^\[\^{re.escape(label)}\]:\s*(.+)$", source, re.M).group(1)
    _open_notebook(page, server, course, path)

    try_it = page.locator(".jp-MarkdownCell aside.myst-admonition").filter(
        has=page.locator(".myst-admonition-header", has_text=re.compile(r"^\s*Try it\s*$"))
    )
    try:
        try_it.first.wait_for(state="attached", timeout=60_000)
    except Exception:
        page.screenshot(path=str(artifacts_dir / "10-myst-missing.png"))
        shown = next((t for t in _rendered_markdown(page) if "Try it" in t or ":class:" in t), "")
        raise AssertionError(
            f"{path.name}: no Try-it box (jupyterlab-myst's aside.myst-admonition) in JupyterLab; the cell "
            f"shows:\n{shown[:1500]}\n(is jupyterlab-myst installed and enabled? jupyter labextension list)"
        ) from None
    _wait_until_settled(page)
    box = try_it.first
    box.scroll_into_view_if_needed()
    # the box's own title (a box can hold other MyST elements with headers of their own)
    title = box.locator(".myst-admonition-header", has_text=re.compile(r"^\s*Try it\s*$")).first
    assert title.is_visible() and (title.text_content() or "").strip() == "Try it", title.text_content()
    shape = box.bounding_box()
    assert shape and shape["width"] > 300 and shape["height"] > 2 * title.bounding_box()["height"], (
        f"the Try-it box is not a box around its text: {shape}"
    )
    assert box.evaluate("e => getComputedStyle(e).borderLeftWidth") != "0px", "the Try-it box has no border"
    page.screenshot(path=str(artifacts_dir / "10-myst-try-it.png"))
    assert page.locator(".jp-MarkdownCell aside.myst-admonition").count() == boxes, (
        f"{path.name} has {boxes} admonitions in its source"
    )

    shown = _rendered_markdown(page)
    assert len(shown) == len(markdown) and all(t.strip() for t in shown), (
        f"{len(markdown)} markdown cells in {path.name}, {sum(bool(t.strip()) for t in shown)} rendered"
    )
    raw = [
        (i, m.group(0)) for i, t in enumerate(shown) for m in [RAW_MYST.search(t) or FOOTNOTE.search(t)] if m
    ]
    assert not raw, f"raw MyST is visible in {path.name} (markdown cell, text): {raw}"

    ref = page.locator(f".jp-MarkdownCell a[href='#fn-{label}']").first
    ref.scroll_into_view_if_needed()
    assert ref.is_visible() and re.fullmatch(r"\[?\d+\]?", ref.inner_text().strip()), (
        f"footnote [^{label}] is not a numbered link: {ref.inner_text()!r}"
    )
    ref.hover()  # jupyterlab-myst shows the footnote's text in a card, as the book's page foot does
    words = re.findall(r"[A-Za-z]{5,}", definition)[:4]
    card = page.locator(".hover-document").filter(has_text=words[0]).first
    card.wait_for(state="visible", timeout=15_000)
    assert all(w in card.inner_text() for w in words), (words, card.inner_text())
    page.wait_for_timeout(800)  # let the card finish fading in before the screenshot
    page.screenshot(path=str(artifacts_dir / "11-myst-footnote.png"))


def test_module_notebook_draws_hangul_with_a_korean_font(server, course, browser, artifacts_dir):
    """The Hangul in a module notebook's text (e.g. 따릉이) is drawn with a font that has Korean
    glyphs, not as empty boxes: Chromium reports which fonts drew it."""
    reason = lab.missing_korean_font()
    if reason:
        pytest.skip(reason)
    korean = lab.korean_font_families()
    # Tall enough for the Hangul and the Try-it box below it in one screenshot.
    context = browser.new_context(viewport={"width": 1400, "height": 1300})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        _open_notebook(page, server, course, course["myst_nb"])
        page.wait_for_function(
            "(sel) => Array.from(document.querySelectorAll(sel)).some(e => /[\uac00-\ud7a3]/.test(e.textContent))",
            arg=lab.RENDERED_MARKDOWN,
        )
        _wait_until_settled(page)  # the Try-it boxes render just after the text
        # The last element with Hangul of its own before the first Try-it box (both fit one screen).
        found = page.evaluate(
            """(sel) => {
                const hangul = /[\uac00-\ud7a3]/;
                const first = document.querySelector('.jp-MarkdownCell aside.myst-admonition');
                const own = e => Array.from(e.childNodes).some(n => n.nodeType === 3 && hangul.test(n.textContent));
                const all = Array.from(document.querySelectorAll(sel + ' *')).filter(own);
                const before = all.filter(e => first && (e.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING));
                const e = before.length ? before[before.length - 1] : all[0];
                if (!e) return null;
                e.setAttribute('data-test-hangul', '');
                e.scrollIntoView({block: 'start'});
                return e.textContent;
            }""",
            lab.RENDERED_MARKDOWN,
        )
        assert found, f"no rendered markdown of {course['myst_nb'].name} contains Hangul"
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts_dir / "12-myst-hangul-and-try-it.png"))
        fonts = lab.fonts_drawing(page, "[data-test-hangul]")
        drawn = [f["familyName"] for f in fonts if f["familyName"] in korean and f["glyphCount"] > 0]
        assert drawn, (
            f"the Hangul in {found[:120]!r} was drawn with {fonts}, none of them a Korean font "
            f"(fc-list :lang=ko: {sorted(korean)[:5]}...)"
        )
    finally:
        context.close()


def test_trainee_runs_module_zero_and_sees_a_figure(server, course, page, artifacts_dir):
    rel = course["module_nb"].relative_to(course["root"]).as_posix()
    page.goto(server.link(f"lab/tree/{rel}"))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    _accept_kernel_dialog(page)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.screenshot(path=str(artifacts_dir / "01-module0-opened.png"))
    assert page.locator(".jp-OutputArea-output img").count() == 0, (
        "the committed notebook must have no outputs"
    )

    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator("#jp-mainmenu-run li[data-command='runmenu:run-all']").click()

    _accept_kernel_dialog(page, wait=1.0)
    deadline = time.monotonic() + 600
    started = False
    quiet_since = None
    prompts = _code_cell_prompts(page)
    while time.monotonic() < deadline:
        prompts = _code_cell_prompts(page)
        started = started or any(p != "[ ]:" for p in prompts)
        if not started and time.monotonic() > deadline - 480:
            break  # two minutes and not one cell started: something blocks Run All
        if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            break
        if started and "[*]:" not in prompts:
            # Nothing running but cells left unrun: Run All stopped at an error (give it 5 s).
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 5:
                break
        else:
            quiet_since = None
        time.sleep(0.5)
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


def _open_from_nbgrader_menu(page, command: str) -> None:
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(f"#jp-mainmenu-nbgrader li[data-command='{command}']").click()


def _wait_for_text(locator, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = locator.inner_text() if locator.count() else ""
        if text in shown:
            return shown
        time.sleep(0.5)
    raise AssertionError(f"{text!r} did not appear; shown:\n{shown[:2000]}")


def test_trainee_sees_and_fetches_the_released_assignment(server, course, page, artifacts_dir):
    name = course["assignment"]
    page.goto(server.link("lab"))
    page.wait_for_selector("#jp-MainMenu")
    _open_from_nbgrader_menu(page, "nbgrader:open-assignment-list")
    released = page.locator("#released_assignments_list")
    _wait_for_text(released, name)
    page.screenshot(path=str(artifacts_dir / "04-assignments-released.png"))
    released.locator("button", has_text="Fetch").first.click()
    _wait_for_text(page.locator("#fetched_assignments_list"), name)
    page.screenshot(path=str(artifacts_dir / "05-assignment-fetched.png"))
    # nbgrader fetches into Exchange.assignment_dir ("." = the server's working directory: the
    # home folder on a hub, grading/ under `make lab`).
    places = [server.cwd / name / f"{name}.ipynb", server.root_dir / name / f"{name}.ipynb"]
    fetched = next((p for p in places if p.exists()), None)
    assert fetched is not None, f"Fetch did not put the notebook in {[str(p) for p in places]}"
    assert "BEGIN HIDDEN TESTS" not in fetched.read_text(encoding="utf-8"), (
        "the fetched copy shows hidden tests"
    )


def _formgrader_frame(page, server):
    _open_from_nbgrader_menu(page, "nbgrader:open-formgrader")
    page.wait_for_selector("iframe", timeout=60_000)
    deadline = (
        time.monotonic() + 120
    )  # the formgrader opens the gradebook on first use: slow on a busy machine
    while time.monotonic() < deadline:
        for handle in page.locator("iframe").element_handles():
            frame = handle.content_frame()
            if frame is not None and "/formgrader" in frame.url:
                return frame
        time.sleep(0.3)
    urls = [f.url for f in page.frames]
    page.screenshot(path=str(server.log_path.parent / "formgrader-missing.png"))
    raise AssertionError(f"the Formgrader tab did not load /formgrader; frames: {urls}")


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
    page.screenshot(path=str(artifacts_dir / "06-formgrader-assignments.png"))
    assert not missing, f"the formgrader does not list {missing}; it shows:\n{listed[:2000]}"

    # Manual grading: the assignment's notebook, then the submission.
    frame.goto(f"{server.url}/formgrader/gradebook/{name}/{name}")
    frame.wait_for_selector("td.name a", timeout=60_000)
    row_before = frame.locator("td.score").first.inner_text()
    frame.locator("td.name a:visible").first.click()
    score_box = frame.locator(f"input.score#{grade_id}")
    score_box.wait_for(state="visible", timeout=60_000)
    page.screenshot(path=str(artifacts_dir / "07-submission-opened.png"))
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
    page.screenshot(path=str(artifacts_dir / "08-written-answer-graded.png"))
    assert manual == pytest.approx(given), f"the gradebook holds {manual!r} for {grade_id}, expected {given}"

    with Gradebook(course["db_url"]) as gb:
        after = gb.find_submission(name, student)
        score_after = after.score
    assert score_after == pytest.approx(score_before + given), (score_before, given, score_after)

    # The total shown to the instructor follows.
    frame.goto(f"{server.url}/formgrader/gradebook/{name}/{name}")
    frame.wait_for_selector("td.score", timeout=60_000)
    row_after = frame.locator("td.score").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "09-total-updated.png"))
    shown = [float(x) for x in re.findall(r"[\d.]+", row_after)]
    assert shown[:2] == pytest.approx([score_after, max_score]), (
        f"total shown {row_after!r} (before: {row_before!r})"
    )
    assert row_after != row_before
