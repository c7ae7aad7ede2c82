"""JupyterLab with a module 0 notebook open, checked by axe-core (WCAG 2.2 A and AA) in Debian's
Chromium, and weighed as a trainee's browser downloads it.

The course's own content in JupyterLab (the rendered text, figures and tables of the notebook)
must have no violation at all. JupyterLab's own widgets have a few violations that only a change
to JupyterLab can fix; they are listed in JUPYTERLAB_OWN, each with the elements it covers. Any
other violation fails the test, and so does an entry of the list that no longer occurs (then
JupyterLab has fixed it: remove the entry). Screenshot and weight: test-artifacts/lab/."""

from __future__ import annotations

import re

import pytest

from smartseoul.book import weight
from smartseoul.browser import NO_CHROMIUM
from smartseoul.testing import axe, lab

from .conftest import module_zero_notebook

CHROMIUM = lab.find_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("lab-a11y"),
    pytest.mark.skipif(
        CHROMIUM is None,
        reason=NO_CHROMIUM,
    ),
]

#: Violations in JupyterLab's own widgets (JupyterLab 4.x), not in the course's content: rule ->
#: (what it is, a pattern every flagged element must match). Only JupyterLab can fix them.
JUPYTERLAB_OWN = {
    "aria-allowed-attr": (
        "toolbar buttons (jp-button) with aria-pressed, which their role does not allow",
        re.compile(r"jp-button|\.validate-button|\.jp-DebuggerBugButton"),
    ),
    "aria-input-field-name": (
        "the CodeMirror editor of each code cell (role=textbox without a name)",
        re.compile(r"\.cm-content"),
    ),
    "aria-required-children": (
        "the notebook's windowed list (role=list holding cells without role=listitem)",
        re.compile(r"\.jp-WindowedPanel-viewport"),
    ),
    "button-name": (
        "the collapse button beside each markdown heading (no text, no aria-label)",
        re.compile(r"button\[data-heading-level="),
    ),
}

#: The course's content inside the notebook: rendered markdown, figures, tables and text outputs.
CONTENT = ".jp-Notebook .jp-Cell-outputArea, .jp-Notebook .jp-RenderedMarkdown, .jp-Notebook .myst"


def jupyterlab_own(violation: axe.Violation) -> bool:
    known = JUPYTERLAB_OWN.get(violation.rule)
    return known is not None and all(known[1].search(t) for t in violation.targets)


@pytest.fixture(scope="module")
def module_lab(tmp_path_factory):
    if axe.axe_script() is None:
        pytest.fail(axe.MISSING)
    root = tmp_path_factory.mktemp("a11y-course")
    notebook = module_zero_notebook()
    grading = lab.copy_course(root, [], module_notebooks=[notebook])
    state = tmp_path_factory.mktemp("a11y-lab-state")
    with lab.running_lab(root, cwd=grading, state_dir=state) as server:
        yield server, f"lab/tree/modules/{notebook.parent.name}/{notebook.name}"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=lab.CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def test_module_notebook_in_jupyterlab_passes_axe(module_lab, browser, artifacts_dir):
    server, rel = module_lab
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(server.link(rel))
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown, .jp-Notebook .myst")
    page.wait_for_timeout(3_000)  # jupyterlab-myst renders the cells again once it has loaded
    found = axe.run_axe(page, "JupyterLab, module 0")
    in_content = axe.run_axe(page, "module 0 content in JupyterLab", include=CONTENT)
    page.screenshot(path=str(artifacts_dir / "a11y-module-0.png"))
    context.close()

    print(
        f"axe-core in JupyterLab: {len(in_content)} violation(s) in the course's content; "
        f"{len(found)} in the whole window, of which {sum(map(jupyterlab_own, found))} are JupyterLab's own"
    )
    assert not in_content, "\n".join(v.describe() for v in in_content)
    new = [v for v in found if not jupyterlab_own(v)]
    assert not new, "violations in JupyterLab with a module open:\n" + "\n".join(v.describe() for v in new)
    gone = sorted(set(JUPYTERLAB_OWN) - {v.rule for v in found})
    assert not gone, f"JupyterLab no longer has {gone}: remove them from JUPYTERLAB_OWN"


def test_module_zero_in_jupyterlab_loads_nothing_from_outside(module_lab, browser, artifacts_dir):
    """What a trainee downloads to open module 0 in JupyterLab (printed), all of it local."""
    server, rel = module_lab
    measured = weight.measure_page(
        browser,
        server.link(rel),
        "JupyterLab, module 0",
        server.url,
        wait_for=".jp-Notebook .jp-MarkdownCell",
    )
    table = weight.format_table([measured], budget=None)
    (artifacts_dir / "a11y-lab-weight.txt").write_text(table + "\n", encoding="utf-8")
    print(table)
    assert measured.requests > 10 and measured.bytes > 100_000, (
        "JupyterLab did not load: nothing was measured"
    )
    assert not measured.external, f"JupyterLab asked for resources outside the machine: {measured.external}"


def test_the_content_check_catches_a_figure_without_alt_text(module_lab, browser):
    """The content check can fail: an image without alt text planted in a rendered cell."""
    server, rel = module_lab
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server.link(rel))
    page.wait_for_selector(
        ".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown, .jp-Notebook .myst", timeout=90_000
    )
    page.evaluate(
        """() => { const cell = document.querySelector('.jp-Notebook .jp-RenderedMarkdown, .jp-Notebook .myst');
                   const img = document.createElement('img'); img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
                   img.width = 20; img.height = 20; cell.appendChild(img); }"""
    )
    planted = axe.run_axe(page, "planted", include=CONTENT)
    page.close()
    assert "image-alt" in {v.rule for v in planted}
