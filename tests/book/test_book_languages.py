"""The translated books (issue 17): `_build/html/<lang>/` for the languages the book tests build
(Russian, and Arabic for right to left), next to the English book at `_build/html/`.

On every page of every book: `<html lang>` (and `dir`), a language switcher whose links all lead
to pages that exist. In a real browser (Debian's Chromium): the welcome page and a module page of
each translation load with no console error; Arabic is right to left while its code, notebook
outputs and tables of numbers and Korean names stay left to right; the search finds a word in
the book's own language; the welcome page says the translation is a draft and how to correct it.
Screenshots: test-artifacts/book/i18n-*.png."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from smartseoul.book import audit, translations
from smartseoul.i18n import languages, messages
from smartseoul.testing import lab

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "book"
TABLE = languages.load(ROOT)
LANGS = ["ru", "ar"]  # as TEST_LANGUAGES in conftest.py
MODULE_PAGE = "modules/00-orientation/00a-jupyter-and-python.html"
pytestmark = [pytest.mark.book, pytest.mark.slow, pytest.mark.xdist_group("book")]

_HTML = re.compile(r"<html([^>]*)>")
_SWITCHER = re.compile(r'<nav class="smartseoul-languages".*?</nav>', re.S)


def _attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag))


def test_each_translation_is_built_next_to_the_english(built_book, html_dir):
    assert sorted(built_book.translations) == sorted(LANGS)
    assert set(LANGS) <= {d.name for d in audit.translations(html_dir)}
    english = {p.relative_to(html_dir).as_posix() for p in audit.html_pages(html_dir)}
    for code in LANGS:
        pages = {p.relative_to(html_dir / code).as_posix() for p in audit.html_pages(html_dir / code)}
        assert pages == english, f"{code}: not the same pages as the English book"


@pytest.mark.parametrize("code", ["en", *LANGS])
def test_every_page_has_its_language_and_a_switcher_whose_links_resolve(html_dir, code):
    book = html_dir if code == "en" else html_dir / code
    lang = TABLE.get(code)
    others = {TABLE.get(c).lang for c in ["en", *LANGS]} - {lang.lang}
    problems = []
    pages = [p for p in audit.html_pages(book) if p.name != "index.html" or p.parent != book]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(html_dir).as_posix()
        tag = _attrs(_HTML.search(text).group(1))
        if tag.get("lang") != lang.lang or tag.get("dir", "ltr") != lang.dir:
            problems.append(f"{rel}: <html lang={tag.get('lang')!r} dir={tag.get('dir')!r}>")
        switcher = _SWITCHER.search(text)
        if not switcher:
            problems.append(f"{rel}: no language switcher")
            continue
        links = re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', switcher.group(0))
        if {hreflang for _, hreflang in links} != others:
            problems.append(
                f"{rel}: the switcher links to {sorted(h for _, h in links)}, not {sorted(others)}"
            )
        for href, hreflang in links:
            target = (page.parent / unquote(href)).resolve()
            if not target.is_file():
                problems.append(f"{rel}: the {hreflang} link {href} leads nowhere")
            elif (
                target.relative_to(html_dir.resolve())
                .as_posix()
                .removeprefix("" if hreflang == "en" else f"{hreflang.replace('-', '_')}/")
                != page.relative_to(book).as_posix()
            ):
                problems.append(f"{rel}: the {hreflang} link {href} is not the same page")
    assert len(pages) >= 10
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("code", LANGS)
def test_the_welcome_page_is_translated_and_says_draft(html_dir, code):
    text = audit.page_text(html_dir / code / "book" / "intro.html")
    assert messages.gettext_in(code, translations.DRAFT_TITLE) in text
    assert "https://github.com/smart-seoul-data-lab/smart-seoul-data-lab/issues" in text
    assert f"locales/{code}/LC_MESSAGES/book/intro.po" in text
    who_for = {"ru": "Для кого этот курс", "ar": "لمن هذه الدورة"}[code]
    assert who_for in text, "the welcome page is not in its language"
    assert "Who it is for" not in text


# --------------------------------------------------------------------------- in the browser


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _page_text(page: Path) -> str:
    """What a reader sees (and hears) on a page: its text, and its alt and title attributes."""
    import html

    source = page.read_text(encoding="utf-8")
    attributes = " ".join(re.findall(r'(?:alt|title|aria-label)="([^"]*)"', source))
    text = re.sub(r"<[^>]+>", "", source) + " " + attributes
    return _plain(html.unescape(text))


def _plain(text: str) -> str:
    """Spaces collapsed, and Sphinx's smart quotes (per language: «», „“, ‘’) and dashes undone,
    so source and page compare."""
    text = re.sub("[\"'‘’‚“”„«»]", '"', text)
    for smart, plain in (("–", "--"), ("—", "---"), ("…", "...")):
        text = text.replace(smart, plain)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("code", LANGS)
def test_every_translated_message_reaches_its_page(html_dir, code):
    """Sphinx silently keeps the English where it cannot use a translation (a numbered title read
    as a list did that). Every translated message of plain text must appear on its page."""
    import html

    from smartseoul.i18n import catalogs

    folder = ROOT / "locales" / code / "LC_MESSAGES"
    lost, checked = [], 0
    for po in sorted(folder.rglob("*.po")):
        docname = po.relative_to(folder).with_suffix("").as_posix()
        page = html_dir / code / f"{docname}.html"
        if not page.exists():
            continue
        text = _page_text(page)
        for message in catalogs.read(po):
            if not message.id or not message.string or message.fuzzy:
                continue
            shown = _plain(html.unescape(str(message.string)))
            if re.search(r"[`\[\]{}*_$<>|#\\]", shown) or len(shown) < 12:
                continue  # markup: rendered differently from its source
            checked += 1
            if shown not in text:
                lost.append(f"{docname}: {shown[:90]}")
    assert checked > 1000, f"only {checked} messages checked"
    assert lost == [], f"{len(lost)} translation(s) not on their page:\n" + "\n".join(lost[:20])


@pytest.fixture(scope="module")
def site(html_dir):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html_dir))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    exe = lab.find_chromium()
    if exe is None:
        pytest.skip(
            "no Chromium found: apt-get install chromium (as .ci/run does), or set SMARTSEOUL_CHROMIUM"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(exe), args=lab.CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _direction(page, selector: str) -> str | None:
    return page.evaluate(
        "(sel) => { const e = document.querySelector(sel); return e ? getComputedStyle(e).direction : null; }",
        selector,
    )


@pytest.mark.browser
@pytest.mark.parametrize("code", LANGS)
@pytest.mark.parametrize("which", ["welcome", "module"])
def test_a_translated_page_in_the_browser(site, browser, html_dir, code, which):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lang = TABLE.get(code)
    rel = f"{code}/book/intro.html" if which == "welcome" else f"{code}/{MODULE_PAGE}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(re.compile(r"^(?!" + re.escape(site) + r").*"), lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"console {m.type}: {m.text}")
            if m.type == "error"
            and "ERR_FAILED" not in m.text
            and (m.location or {}).get("url", site).startswith(site)
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} for {r.url}") if r.url.startswith(site) and r.status >= 400 else None
        ),
    )
    page.goto(f"{site}/{rel}", wait_until="load")
    assert page.evaluate("document.documentElement.lang") == lang.lang
    assert page.evaluate("document.documentElement.dir || 'ltr'") == lang.dir
    switcher = page.locator("nav.smartseoul-languages")
    assert switcher.is_visible(), "the language switcher is not on screen"
    hrefs = switcher.locator("a").evaluate_all("els => els.map(e => e.href)")
    assert len(hrefs) == len(LANGS), hrefs
    for href in hrefs:
        response = context.request.get(href)
        assert response.ok, f"the switcher's link {href} gives {response.status}"
        target = urlparse(href).path
        assert target.endswith(rel.split("/", 1)[1]), f"{href} is not the same page in another language"
    if lang.rtl:
        assert _direction(page, "article p") == "rtl" or which == "module"
        assert _direction(page, "nav.smartseoul-languages a[hreflang='en']") == "ltr"
        if page.locator("pre").count():
            assert _direction(page, "pre") == "ltr", "a code block is not left to right"
        if page.locator("article code").count():
            assert _direction(page, "article code") == "ltr", "inline code is not left to right"
        if which == "module":
            assert _direction(page, "div.cell_output") == "ltr", "notebook outputs are not left to right"
    page.screenshot(path=str(ARTIFACTS / f"i18n-{code}-{which}.png"))
    context.close()
    assert (ARTIFACTS / f"i18n-{code}-{which}.png").stat().st_size > 10_000
    assert not errors, "\n".join(errors)


@pytest.mark.browser
def test_arabic_tables_of_numbers_and_korean_names_stay_left_to_right(site, browser, html_dir):
    """A data-catalogue preview table (column names, Korean names, numbers: no Arabic word) in the
    Arabic book stays left to right; a table with Arabic words in it (the field table) is laid out
    right to left."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/ar/book/_generated/data/geography.html", wait_until="load")
    korean, arabic = re.compile("[\uac00-\ud7a3]"), re.compile("[\u0600-\u06ff]")
    tables = page.locator("article table").filter(has_text=korean)
    table = tables.filter(has_not_text=arabic).first
    assert table.count(), "no table of Korean names without Arabic words on the page"
    assert table.evaluate("e => getComputedStyle(e).direction") == "ltr"
    translated = tables.filter(has_text=arabic).first
    assert translated.count() and translated.evaluate("e => getComputedStyle(e).direction") == "rtl"
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "i18n-ar-table.png"))
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "code,term",
    [("ru", "слушатели"), ("ru", "данные"), ("ar", "البيانات"), ("ar", "المتدربون")],
    ids=["ru-trainees", "ru-data-stemmed", "ar-data-with-article", "ar-trainees"],
)
def test_search_finds_a_term_in_the_books_language(site, browser, code, term):
    page = browser.new_page()
    page.goto(f"{site}/{code}/search.html?q={term}", wait_until="load")
    summary = page.locator("#search-results .search-summary")
    try:
        page.wait_for_function(
            # Sphinx adds the hits one by one (5 ms apart) and writes the summary only after the
            # last one, so waiting for the first hit would read a partial list.
            "() => { const s = document.querySelector('#search-results .search-summary');"
            " return s && s.textContent.trim().length > 0; }",
            timeout=20_000,
        )
    except Exception:
        pytest.fail(
            f"the {code} search page never said that the search had finished: its summary stayed"
            " empty (an empty translation of Sphinx's words shows as nothing)"
        )
    hits = page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))"
    )
    said = summary.inner_text().strip()
    page.close()
    # the words around the results are the book's language too (translations.search_page_words)
    assert said and "Search finished" not in said, f"the search summary is not in {code}: {said!r}"
    assert any(urljoin(f"/{code}/search.html", h).startswith(f"/{code}/book/intro") for h in hits), (
        f"{term!r} should find the {code} welcome page, got {hits[:5]}"
    )
