"""Search in Arabic, Indonesian and Thai (smartseoul.book.search_languages): the index (Python)
and the query (JavaScript, in the browser) cut and normalise words the same way, and a small book
in each language finds a word in a real browser."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from smartseoul.book import search_languages as sl
from smartseoul.testing import lab

ROOT = Path(__file__).resolve().parents[2]

ARABIC = "تستخدم البيانات المفتوحة في المدينةِ، وبالبيانات نقيس جودة الهواء. أُعدّت الخرائطُ للمدن."
THAI = "ข้อมูลเปิดของเมืองโซลช่วยให้เจ้าหน้าที่เห็นการเดินทางตอนกลางคืน"
INDONESIAN = "Data terbuka kota Seoul membantu petugas melihat perjalanan malam hari."


def test_arabic_words_are_found_with_or_without_article_and_marks():
    stem = sl.arabic_stem
    assert stem("البيانات") == stem("بيانات") == stem("وبالبيانات".removeprefix("و")) == "بيانات"
    assert stem("المدينةِ") == stem("مدينة") == "مدينه"  # kasra removed, ta marbuta unified
    assert stem("أُعدّت") == stem("اعدت"), "hamza on alef and harakat do not matter"
    words = sl.SearchArabic({}).split(ARABIC)
    assert "المدينة" in words, "a word carrying a vowel mark stays one word"


def test_thai_is_indexed_as_pairs_of_clusters_so_a_word_inside_a_sentence_is_found():
    index = set(sl.thai_split(THAI))
    for word in ("ข้อมูล", "เมือง", "กลางคืน", "เจ้าหน้าที่", "การเดินทาง"):
        query = sl.thai_split(word)
        assert query and set(query) <= index, word
    assert "ข้" + "อ" in sl.thai_split("ข้อ"), "a letter keeps its tone mark"
    assert sl.thai_split("Seoul ข้อมูล")[0] == "Seoul"


def test_indonesian_is_not_cut_by_an_english_stemmer():
    lang = sl.SearchIndonesian({})
    assert lang.stem("perjalanan") == "perjalanan"
    assert "yang" in lang.stopwords and lang.split(INDONESIAN)[0] == "Data"


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(lab.find_chromium()), args=lab.CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(lab.find_chromium() is None, reason="no Chromium: apt-get install chromium")
@pytest.mark.parametrize(
    "language,text", [("ar", ARABIC), ("th", THAI), ("id", INDONESIAN)], ids=["ar", "th", "id"]
)
def test_the_browser_cuts_a_query_as_the_index_was_cut(browser, language, text):
    cls = {"ar": sl.SearchArabic, "th": sl.SearchThai, "id": sl.SearchIndonesian}[language]
    lang = cls({})
    python = [lang.stem(w).lower() for w in lang.split(text)]
    page = browser.new_page()
    script = (
        "(() => {\n"
        + (lang.js_splitter_code or "")
        + "\n"
        + lang.js_stemmer_code
        + "\nconst s = new Stemmer();"
        + "\nconst split = (typeof splitQuery === 'function') ? splitQuery"
        + " : (q) => q.split(/[^\\p{Letter}\\p{Number}_\\p{Emoji_Presentation}]+/gu).filter(t => t);"
        + f"\nreturn split({json.dumps(text)}).map(w => s.stemWord(w.toLowerCase()));\n}})()"
    )
    browser_words = page.evaluate(script)
    page.close()
    assert browser_words == python


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def small_books(tmp_path_factory):
    """One page in each language, built by Sphinx with the course's search languages."""
    out = {}
    # "th-sphinx": the same Thai page with Sphinx's own search (English, its fallback): the control
    for language, text in (("ar", ARABIC), ("th", THAI), ("id", INDONESIAN), ("th-sphinx", THAI)):
        src = tmp_path_factory.mktemp(f"src-{language}")
        extensions = [] if language == "th-sphinx" else ["smartseoul.book.search_languages"]
        code = language.split("-")[0]
        (src / "conf.py").write_text(
            f"extensions = {extensions!r}\n"
            f"language = {code!r}\nhtml_search_language = {code!r}\nhtml_theme = 'basic'\n",
            encoding="utf-8",
        )
        (src / "index.rst").write_text(f"Page\n====\n\n{text}\n", encoding="utf-8")
        html = src / "_build"
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(html)],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        )
        assert done.returncode == 0, done.stderr
        out[language] = html
    return out


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(lab.find_chromium() is None, reason="no Chromium: apt-get install chromium")
@pytest.mark.parametrize(
    "language,query",
    [("ar", "بيانات"), ("ar", "المدن"), ("th", "การเดินทาง"), ("th", "ข้อมูล"), ("id", "perjalanan")],
    ids=["ar-data", "ar-cities-with-article", "th-travel", "th-data", "id-travel"],
)
def test_a_small_book_finds_a_word_in_its_language(browser, small_books, language, query):
    hits = _search(browser, small_books[language], query)
    assert any("index" in h for h in hits), f"{query!r} found nothing in the {language} book"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(lab.find_chromium() is None, reason="no Chromium: apt-get install chromium")
def test_without_the_thai_search_language_the_word_is_not_found(browser, small_books):
    """The control: Sphinx's fallback cuts Thai at its vowel marks, so "เมือง" (city), which is
    in the page, is looked up as "เม" and "อง" and not found; the Thai search language finds it."""
    assert _search(browser, small_books["th-sphinx"], "เมือง") == []
    assert _search(browser, small_books["th"], "เมือง") == ["index.html"]


def _search(browser, site: Path, query: str) -> list[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/search.html?q={query}", wait_until="load")
        # Sphinx writes the summary empty when the search starts and fills it in (in the page's
        # language) when it has ended; Sphinx's Indonesian catalogue leaves it empty, so a list of
        # results counts as an end too
        page.wait_for_function(
            "() => { const s = document.querySelector('#search-results .search-summary');"
            " return document.querySelector('#search-results ul.search li')"
            "   || (s && s.textContent.trim().length > 0); }",
            timeout=20_000,
        )
        hits = page.eval_on_selector_all(
            "#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))"
        )
        page.close()
    finally:
        server.shutdown()
        server.server_close()
    return hits
