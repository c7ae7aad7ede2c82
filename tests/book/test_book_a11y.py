"""WCAG 2.2 A and AA, checked by axe-core in Debian's Chromium, on every page of the built book in
every language the test build has (English, Russian, Arabic), in light and in dark mode.

axe-core is the npm package pinned in tests/a11y/package-lock.json (`make axe`), injected into
each page by Playwright from that file. Any violation fails the test. A second test undoes the
book's accessibility fixes in two pages (smartseoul.book.accessibility) and checks that axe then
fails: it saves screenshots of both pages before and after, with what axe flagged outlined in
red, to test-artifacts/a11y/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from smartseoul.book import audit, weight
from smartseoul.testing import axe

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "a11y"
pytestmark = [pytest.mark.book, pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book")]


@pytest.fixture(scope="module")
def site(html_dir):
    with weight.serve(html_dir) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    exe = weight.find_chromium()
    if exe is None:
        pytest.skip(
            "no Chromium found: install Debian's browser with 'apt-get install chromium' (as .ci/run "
            "does) or set SMARTSEOUL_CHROMIUM=/path/to/chromium to run the accessibility test"
        )
    if axe.axe_script() is None:
        pytest.fail(axe.MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(exe), args=weight.CHROMIUM_ARGS)
        yield b
        b.close()


def every_page(html_dir: Path) -> list[str]:
    """The pages of the English book and of each translated book built beside it."""
    pages = weight.book_pages(html_dir)
    for book in audit.translations(html_dir):
        pages += [f"{book.name}/{rel}" for rel in weight.book_pages(book)]
    return pages


def check(browser, site: str, pages: list[str], color_scheme: str) -> list[axe.Violation]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
    context.route(re.compile(r"^(?!" + re.escape(site) + r")(https?|wss?):"), lambda route: route.abort())
    page = context.new_page()
    found: list[axe.Violation] = []
    for rel in pages:
        page.goto(f"{site}/{rel}", wait_until="load")
        found += axe.run_axe(page, f"{rel} ({color_scheme})")
    context.close()
    return found


def test_every_page_in_every_language_has_no_wcag_violations(html_dir, site, browser):
    pages = every_page(html_dir)
    languages = ["en", *(b.name for b in audit.translations(html_dir))]
    english = weight.book_pages(html_dir)
    found = check(browser, site, pages, "light")
    # dark mode follows the reader's system setting: its colours are checked on the English pages
    found += check(browser, site, english, "dark")
    print(
        f"axe-core ({', '.join(axe.WCAG_AA_TAGS)}): {len(pages)} pages in {len(languages)} languages "
        f"({', '.join(languages)}) in light mode and {len(english)} in dark mode: {len(found)} violation(s)"
    )
    assert len(pages) >= 3 * 10 or len(languages) < 3, "fewer pages than a built book has"
    assert not found, "axe-core found WCAG 2.2 A/AA violations:\n" + "\n".join(
        v.describe() for v in found[:40]
    )


#: Each fix of smartseoul.book.accessibility undone in the browser, as the pages were before.
UNDO_FIXES = """() => {
  document.querySelectorAll('link[href*="smartseoul-a11y.css"]').forEach(l => l.disabled = true);
  document.querySelectorAll('.search-button-field').forEach(b => b.setAttribute('aria-label', 'Search'));
  const titles = {light: 'Light', dark: 'Dark', auto: 'System Settings'};
  document.querySelectorAll('.theme-switch-button i').forEach(i => {
    i.removeAttribute('aria-hidden'); i.setAttribute('title', titles[i.dataset.mode]); });
  document.querySelectorAll('.bd-sidenav summary[aria-label]').forEach(s => s.removeAttribute('aria-label'));
  document.querySelectorAll('[role="listitem"].citation').forEach(c => c.setAttribute('role', 'doc-biblioentry'));
}"""

OUTLINE = """(targets) => targets.forEach(t => { const e = document.querySelector(t);
  if (e) { e.style.outline = '4px solid #d00000'; e.style.outlineOffset = '1px'; } })"""


@pytest.mark.parametrize(
    "name,rel", [("module", "modules/00-orientation/index.html"), ("references", "book/references.html")]
)
def test_before_and_after_the_fixes(html_dir, site, browser, name, rel):
    """The fixes are what makes axe pass: undone, axe fails again (screenshots of both)."""
    if not (html_dir / rel).is_file():
        pytest.fail(f"{rel} is not in the built book: choose another page for the before/after screenshots")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/{rel}", wait_until="load")
    after = axe.run_axe(page, rel)
    page.screenshot(path=str(ARTIFACTS / f"{name}-after.png"))
    page.evaluate(UNDO_FIXES)
    before = axe.run_axe(page, f"{rel} (fixes undone)")
    page.evaluate(OUTLINE, [t for v in before for t in v.targets])
    page.screenshot(path=str(ARTIFACTS / f"{name}-before.png"))
    page.close()
    print(f"{rel}: {len(before)} rule(s) failed before the fixes, {len(after)} after")
    assert not after, "\n".join(v.describe() for v in after)
    assert before, "undoing the fixes should make axe fail: is UNDO_FIXES out of date?"
    assert {"label-content-name-mismatch", "summary-name"} <= {v.rule for v in before}
