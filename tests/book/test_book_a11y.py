"""WCAG 2.2 A and AA, checked by axe-core in Debian's Chromium, on every page of the built book in
every language the test build has (English, Russian, Arabic), in light and in dark mode.

axe-core is the npm package pinned in tests/a11y/package-lock.json (`make axe`), injected into
each page by Playwright from that file. Any violation fails the test. A second test undoes the
book's accessibility fixes in two pages (smartseoul.book.accessibility) and checks that axe then
fails: it saves screenshots of both pages before and after, with what axe flagged outlined in
red, to test-artifacts/a11y/."""

from __future__ import annotations

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
def browser(chromium):
    exe = chromium
    if axe.axe_script() is None:
        pytest.fail(axe.MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(exe), args=weight.CHROMIUM_ARGS)
        yield b
        b.close()


#: Dark mode changes only colours, which come from the stylesheets that every page shares: it is
#: checked on one page of each kind (each kind has its own components: code cells and outputs,
#: data tables, exercises, the bibliography, the index and the search page).
DARK_MODE_PAGES = [
    "book/intro.html",
    "book/references.html",
    "book/glossary.html",
    "book/instructor/module-0.html",
    "book/_generated/data-catalogue.html",
    "book/_generated/data/bike_stations.html",
    "book/_generated/exercises/m0-orientation.html",
    "book/_generated/python/00-orientation.html",
    "modules/00-orientation/index.html",
    "modules/00-orientation/00a-jupyter-and-python.html",
    "modules/00-orientation/00c-first-charts-and-maps.html",
    "modules/03-owl-bus-case-study/03a-finding-late-night-demand.html",
    "genindex.html",
    "search.html",
]


def test_every_page_in_every_language_has_no_wcag_violations(html_dir, page_visits):
    languages = ["en", *(b.name for b in audit.translations(html_dir))]
    found = [v for visit in page_visits for v in visit.violations]
    print(
        f"axe-core {axe.axe_version()} ({', '.join(axe.WCAG_AA_TAGS)}): {len(page_visits)} pages in "
        f"{len(languages)} languages ({', '.join(languages)}): {len(found)} violation(s)"
    )
    assert len(page_visits) >= 10 * len(languages), "fewer pages than a built book has"
    assert not found, "axe-core found WCAG 2.2 A/AA violations:\n" + "\n".join(
        v.describe() for v in found[:40]
    )


def test_dark_mode_has_no_wcag_violations(html_dir, chromium):
    pages = [rel for rel in DARK_MODE_PAGES if (html_dir / rel).is_file()]
    missing = sorted(set(DARK_MODE_PAGES) - set(pages))
    visits = axe.visit_pages(html_dir, pages, chromium=chromium, color_scheme="dark")
    found = [v for visit in visits for v in visit.violations]
    print(f"axe-core in dark mode: {len(pages)} pages: {len(found)} violation(s)")
    assert not missing, f"pages of DARK_MODE_PAGES not in the book (choose others of their kind): {missing}"
    assert not found, "\n".join(v.describe() for v in found[:40])


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


#: Text nodes of the article with Hangul that no `lang="ko"` element holds.
UNMARKED_KOREAN = """() => {
  const walker = document.createTreeWalker(document.querySelector('article') || document.body, NodeFilter.SHOW_TEXT);
  const hangul = /[\\uac00-\\ud7a3]/, unmarked = [];
  let marked = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!hangul.test(node.textContent)) continue;
    const owner = node.parentElement.closest('[lang]');
    if (owner && owner.getAttribute('lang') === 'ko') marked++;
    else unmarked.push(node.textContent.trim().slice(0, 40));
  }
  return {marked, unmarked};
}"""


@pytest.mark.parametrize(
    "rel", ["modules/00-orientation/00a-jupyter-and-python.html", "ru/book/glossary.html"]
)
def test_korean_words_are_marked_as_korean(html_dir, site, browser, rel):
    """WCAG 3.1.2 (language of parts), which axe cannot check: a screen reader reads 따릉이 with a
    Korean voice only if the word is inside lang="ko"."""
    if not (html_dir / rel).is_file():
        pytest.skip(f"{rel} is not in this build")
    page = browser.new_page()
    page.goto(f"{site}/{rel}", wait_until="load")
    found = page.evaluate(UNMARKED_KOREAN)
    page.close()
    assert found["marked"] > 0, f"{rel} has no Korean text marked lang='ko'"
    assert not found["unmarked"], f"Korean text without lang='ko' in {rel}: {found['unmarked'][:10]}"
