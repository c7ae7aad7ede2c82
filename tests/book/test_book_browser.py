"""The built site in a real browser: headless Chromium (Debian's `chromium` package) driven by
Playwright, served from a local HTTP server. Visits every page; fails on console errors, broken
internal links or broken images; checks the search in Korean and English; saves screenshots to
test-artifacts/book/.

Enable it with `apt-get install chromium` (CI's .ci/run does this) or point
SMARTSEOUL_CHROMIUM at a Chromium executable."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from smartseoul.book import audit
from smartseoul.browser import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "book"
pytestmark = [pytest.mark.book, pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("book")]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def site(html_dir):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _local(url: str, base: str) -> bool:
    return url.startswith(base)


def test_every_page_loads_cleanly_with_working_links_and_images(html_dir, site, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = [p.relative_to(html_dir).as_posix() for p in audit.html_pages(html_dir)]
    # the root index.html only redirects to the welcome page: check where it goes, visit the rest
    redirect = re.search(
        r'http-equiv="Refresh" content="0; url=([^"]+)"', (html_dir / "index.html").read_text(), re.I
    )
    assert redirect and (html_dir / redirect.group(1)).is_file(), (
        "index.html does not lead to the welcome page"
    )
    pages.remove("index.html")
    ids_cache: dict[str, set[str]] = {}

    def ids_of(rel: str) -> set[str]:
        if rel not in ids_cache:
            text = (html_dir / rel).read_text(encoding="utf-8")
            ids_cache[rel] = set(re.findall(r'\bid="([^"]+)"', text))
        return ids_cache[rel]

    context = browser.new_context()
    # the site must work offline: anything outside it is refused (and not counted as an error)
    context.route(re.compile(r"^(?!" + re.escape(site) + r").*"), lambda route: route.abort())
    page = context.new_page()
    problems: list[str] = []
    current = {"url": ""}
    page.on(
        "console",
        lambda m: (
            problems.append(f"{current['url']}: console {m.type}: {m.text}")
            if m.type == "error"
            and _local((m.location or {}).get("url", site), site)
            and "ERR_FAILED" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"{current['url']}: page error: {e}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{current['url']}: {r.status} for {r.url}")
            if _local(r.url, site) and r.status >= 400
            else None
        ),
    )
    for rel in pages:
        current["url"] = rel
        page.goto(f"{site}/{rel}", wait_until="load")
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in links:
            if not _local(href, site):
                continue
            url, fragment = urldefrag(href)
            target = unquote(urlparse(url).path).lstrip("/") or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if not (html_dir / target).exists():
                problems.append(f"{rel}: broken link to {target}")
            elif fragment and target.endswith(".html") and unquote(fragment) not in ids_of(target):
                problems.append(f"{rel}: link to missing anchor {target}#{fragment}")
        broken = page.eval_on_selector_all(
            "img",
            "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.getAttribute('src'))",
        )
        problems += [f"{rel}: image did not load: {src}" for src in broken]
    context.close()
    assert len(pages) >= 10
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize(
    "term,expected_page",
    [("자치구", "glossary"), ("따릉이", "glossary"), ("Ttareungyi", "glossary"), ("synthetic", "")],
)
def test_search_finds_korean_and_english_terms(html_dir, site, browser, term, expected_page):
    page = browser.new_page()
    page.goto(f"{site}/search.html?q={term}", wait_until="load")
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results p.search-summary, #search-results .search-summary');"
        # Sphinx writes the summary empty at the start and fills it in when the search has ended
        " return s && /Search finished|did not match/.test(s.textContent); }",
        timeout=20_000,
    )
    hits = page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))"
    )
    page.close()
    assert hits, f"the search found nothing for {term!r}"
    assert expected_page in " ".join(hits), f"{term!r} should find the {expected_page} page, got {hits[:5]}"


def test_screenshots_of_the_welcome_a_module_and_a_catalogue_page(html_dir, site, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    modules = (
        sorted(p for p in (html_dir / "modules").rglob("*.html")) if (html_dir / "modules").exists() else []
    )
    catalogue = sorted((html_dir / "book" / "_generated" / "data").glob("*.html"))
    shots = {"welcome": html_dir / "book" / "intro.html", "catalogue": catalogue[0] if catalogue else None}
    shots["module"] = modules[0] if modules else None
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    saved = []
    for name, target in shots.items():
        if target is None:
            continue
        page.goto(f"{site}/{target.relative_to(html_dir).as_posix()}", wait_until="load")
        out = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(out), full_page=False)
        assert out.stat().st_size > 10_000, f"{out} looks blank"
        saved.append(name)
    page.close()
    assert "welcome" in saved and "catalogue" in saved
    if "module" not in saved:
        pytest.xfail(
            "no module page in the book yet, so no module screenshot (the welcome and catalogue ones are saved)"
        )


def test_icons_are_drawn_with_the_theme_font_without_its_icon_script(html_dir, site, browser):
    """smartseoul.book.icons drops the theme's 1.5 MB icon script: the icons must still show, from
    the theme's icon font (loaded, not missing), and be hidden from screen readers."""
    assert not list((html_dir / "_static" / "scripts").glob("fontawesome.js*"))
    page = browser.new_page()
    try:
        page.goto(f"{site}/modules/00-orientation/00a-jupyter-and-python.html")
        page.evaluate("document.fonts.ready")
        icons = page.evaluate(
            """() => [...document.querySelectorAll('i[class*="fa-"]')]
                .filter(i => i.getClientRects().length)
                .map(i => ({cls: i.className, hidden: i.getAttribute('aria-hidden'),
                            font: getComputedStyle(i, '::before').fontFamily,
                            glyph: getComputedStyle(i, '::before').content}))"""
        )
        fonts = page.evaluate(
            "() => [...document.fonts].filter(f => f.family.includes('Font Awesome')).map(f => [f.family, f.weight, f.status])"
        )
        scripts = page.evaluate(
            "() => [...document.scripts].map(s => s.src).filter(s => s.includes('fontawesome'))"
        )
    finally:
        page.close()
    assert not scripts
    assert len(icons) >= 5, icons
    assert all(i["hidden"] == "true" for i in icons), [i for i in icons if i["hidden"] != "true"]
    assert all("Font Awesome" in i["font"] and i["glyph"] not in ("none", "normal") for i in icons), icons
    used = {(family.strip('"'), weight) for family, weight, status in fonts if status == "loaded"}
    assert ("Font Awesome 6 Free", "900") in used, f"the solid icon font did not load: {fonts}"
