"""A module page with the keyboard only, and at 200 % zoom and 320 px width, in Debian's Chromium.

Keyboard (WCAG 2.1.1, 2.4.1, 2.4.7): the first Tab reaches the skip link, which is visible and
moves focus to the content; Tab then reaches the sidebar navigation, the search, the launch and
download buttons, and every element that takes focus shows a visible outline. Search opens from
the keyboard and finds a page; the launch and download dropdowns open with Enter, their items
are reached with the arrow keys, and Escape closes them.

Zoom (WCAG 1.4.10 reflow): at 200 % zoom (a 1280 px window seen as 640 CSS px) and at a 320 px
wide window, nothing needs horizontal scrolling except code and wide tables, which scroll inside
their own box. Screenshots: test-artifacts/a11y/."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartseoul.book import weight

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "a11y"
MODULE_PAGE = "modules/00-orientation/00a-jupyter-and-python.html"
pytestmark = [pytest.mark.book, pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book")]


@pytest.fixture(scope="module")
def site(html_dir):
    if not (html_dir / MODULE_PAGE).is_file():
        pytest.fail(f"{MODULE_PAGE} is not in the built book: point MODULE_PAGE at a module page")
    with weight.serve(html_dir) as base:
        yield base


@pytest.fixture(scope="module")
def browser(chromium):
    exe = chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(exe), args=weight.CHROMIUM_ARGS)
        yield b
        b.close()


#: What has focus: a description, whether it is on screen, and how its focus is drawn.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  // the sidebar's expand buttons draw their focus ring on the chevron inside them
  let ring = e;
  if (e.getBoundingClientRect().width === 0 && e.querySelector(':scope > .toctree-toggle')) ring = e.querySelector(':scope > .toctree-toggle');
  const r = ring.getBoundingClientRect(), s = getComputedStyle(ring);
  return {
    tag: e.tagName.toLowerCase(), text: (e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 60),
    cls: (e.className && e.className.baseVal === undefined ? e.className : '') + ' ' +
         (e.closest('nav, .dropdown, .bd-sidebar-primary, .bd-header-article, .navbar-persistent--container, .sidebar-primary-item, article') || {className: ''}).className,
    area: e.closest('.bd-sidebar-primary') ? 'sidebar' : e.closest('.bd-header-article') ? 'article-header'
        : e.closest('article') ? 'article' : e.closest('.skip-link') ? 'skip-link' : 'other',
    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
    shadow: s.boxShadow !== 'none',
    expanded: e.getAttribute('aria-expanded'),
  };
}"""


def tab(page, times: int = 1) -> dict | None:
    for _ in range(times):
        page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


def tab_until(page, matches, limit: int = 120) -> tuple[dict, list[dict]]:
    """Press Tab until the focused element matches; return it and everything focused on the way."""
    seen: list[dict] = []
    for _ in range(limit):
        focused = tab(page)
        if focused is None:
            continue
        seen.append(focused)
        if matches(focused):
            return focused, seen
    raise AssertionError(
        f"not reached with {limit} presses of Tab; focus went through: "
        + " | ".join(f"{f['tag']} {f['text']!r}" for f in seen[-15:])
    )


def test_a_module_page_works_with_the_keyboard_only(site, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/{MODULE_PAGE}", wait_until="load")

    # 1. the skip link comes first, shows when focused, and moves focus into the content
    first = tab(page)
    assert first and first["area"] == "skip-link", f"the first Tab should reach the skip link, got {first}"
    page.wait_for_timeout(300)  # the theme slides the skip link in
    first = page.evaluate(FOCUSED)
    assert first["visible"] and (first["outline"] or first["shadow"]), "the focused skip link must be visible"
    page.screenshot(path=str(ARTIFACTS / "keyboard-skip-link.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    after_skip = tab(page)
    assert after_skip and after_skip["area"] in ("article", "article-header", "other"), (
        f"after the skip link, Tab should stay in the main content, not go back to {after_skip}"
    )

    # 2. from the top: navigation, search, launch and download, each with a visible focus outline
    page.goto(f"{site}/{MODULE_PAGE}", wait_until="load")
    nav_link, seen = tab_until(page, lambda f: f["area"] == "sidebar" and f["tag"] == "a")
    launch, more = tab_until(page, lambda f: "dropdown-launch-buttons" in f["cls"])
    seen += more
    page.screenshot(path=str(ARTIFACTS / "keyboard-launch-button.png"))
    download, more = tab_until(page, lambda f: "dropdown-download-buttons" in f["cls"])
    seen += more
    search, more = tab_until(page, lambda f: "search-button" in f["cls"] or "Search" in f["text"])
    seen += more
    unseen = [f for f in seen if f["visible"] and not (f["outline"] or f["shadow"])]
    assert not unseen, "focused elements without a visible focus outline: " + "; ".join(
        f"{f['tag']} {f['text']!r}" for f in unseen[:10]
    )

    # 3. the dropdowns open with Enter, their items are reached with the arrow keys, Escape closes
    for name in ("launch", "download"):
        toggle = page.locator(f".dropdown-{name}-buttons > button")
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true", f"Enter did not open the {name} dropdown"
        page.keyboard.press("ArrowDown")
        item = page.evaluate(FOCUSED)
        assert item and "dropdown" in item["cls"] and item["tag"] == "a", (
            f"ArrowDown should reach the first item of the {name} dropdown, got {item}"
        )
        page.screenshot(path=str(ARTIFACTS / f"keyboard-{name}-dropdown.png"))
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false", f"Escape did not close the {name} dropdown"

    # 4. search from the keyboard: Ctrl+K opens the search box with the cursor in it; Enter searches
    page.locator("body").focus()
    page.keyboard.press("Control+k")
    field = page.locator("#pst-search-dialog input[name=q]")
    field.wait_for(state="visible", timeout=5_000)
    assert page.evaluate("document.activeElement.name") == "q", (
        "Ctrl+K should put the cursor in the search box"
    )
    page.keyboard.type("Ttareungyi")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=Ttareungyi*")
    page.wait_for_function(
        "() => /Search finished|did not match/.test(document.querySelector('#search-results')?.textContent || '')",
        timeout=20_000,
    )
    hit = page.locator("#search-results ul.search li a").first
    hit.focus()
    assert page.evaluate(FOCUSED)["tag"] == "a", "a search result should take focus"
    page.screenshot(path=str(ARTIFACTS / "keyboard-search.png"))
    page.close()
    assert nav_link and launch and download and search


#: Elements wider than the window that are not inside a box that may scroll (code, tables, outputs).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = 'pre, .highlight, table, .table-wrapper, .pst-scrollable-table-container, .output, .cell_output, .MathJax, mjx-container, .math';
  const wide = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    if (e.closest(scrolls)) continue;
    if (!e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    // inside a closed sidebar drawer, moved off screen on purpose
    if (e.closest('.bd-sidebar-primary, .bd-sidebar-secondary, .sidebar-secondary-item, dialog:not([open])')) continue;
    wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + String(e.className).split(' ').slice(0, 2).join('.') + ' ' + Math.round(r.right) + 'px');
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 15)};
}"""


#: A page of each kind, and the pages where long titles, web addresses and headings once ran off.
REFLOW_PAGES = [
    MODULE_PAGE,
    "book/intro.html",
    "book/sources.html",
    "book/_generated/data/bike_stations.html",
    "book/_generated/exercises/m0-orientation.html",
    "modules/01-smart-city-initiatives/index.html",
    "modules/01-smart-city-initiatives/01a-seoul-smart-city-timeline.html",
    "modules/02-big-data-post-covid/index.html",
    "ar/modules/00-orientation/00a-jupyter-and-python.html",
]


@pytest.mark.parametrize(
    "name,viewport,scale",
    [("zoom-200", {"width": 640, "height": 450}, 2), ("width-320", {"width": 320, "height": 640}, 1)],
)
def test_no_horizontal_scrolling_at_200_percent_zoom_or_320_px(
    html_dir, site, browser, name, viewport, scale
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    problems = []
    for rel in REFLOW_PAGES:
        if not (html_dir / rel).is_file():
            problems.append(f"{rel} is not in the built book: update REFLOW_PAGES")
            continue
        page.goto(f"{site}/{rel}", wait_until="load")
        found = page.evaluate(OVERFLOW)
        if found["scrollWidth"] > found["width"] + 1 or found["wide"]:
            problems.append(
                f"{rel}: page {found['scrollWidth']} px wide in a {found['width']} px window: {found['wide']}"
            )
        if rel == MODULE_PAGE:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    context.close()
    assert not problems, "horizontal scrolling needed:\n" + "\n".join(problems)
