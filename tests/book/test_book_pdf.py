"""The module PDFs (`smartseoul book pdf`, `make pdf`).

Fast tests join a small made-up book into a print document: the worked solutions move to an
appendix with their task, collapsed cells print open, links stay inside the PDF, and the download
link is added once. The browser tests print every module of the test build with Debian's Chromium
and read each PDF back with pypdf and pdfium: every heading (in the outline and the text) and every
figure (its caption, its alt text on a tagged figure, its image) of the module's HTML is there, and
so is every worked solution. A planted PDF without a heading and a figure fails that check. The
first pages of module 0 are saved as PNG files in test-artifacts/pdf/."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from smartseoul.book import pdf, print_html
from smartseoul.browser import CHROMIUM_ARGS, find_chromium
from smartseoul.testing import pdf as pdfcheck

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "pdf"
#: modules 0 to 6, each with one PDF
MODULES = [f"0{n}-" for n in range(7)]

PAGE = """<!DOCTYPE html><html lang="en"><head>
<link rel="stylesheet" href="../../_static/styles/theme.css?digest=1" /></head><body>
<div class="bd-header">Launch buttons and a search box</div>
<article class="bd-article"><section id="{anchor}">
<h1>{title}<a class="headerlink" href="#{anchor}" title="Link to this heading">#</a></h1>
{body}
</section></article></body></html>"""

INDEX_BODY = """<p>Read <a class="reference internal" href="00a-lesson.html">0a. Counting</a> first.</p>"""

LESSON_BODY = """
<p>See <a href="index.html#module-0-demo">the module</a>, <a href="../../book/other.html#x">the
glossary</a>, <a href="https://data.seoul.go.kr">the portal</a> and <a href="#key-points">the key points</a>.</p>
<div class="tip admonition"><p class="admonition-title">Try it</p><p>Count the stations per district.</p></div>
<div class="cell tag_hide-cell tag_try-it-solution docutils container">
<details class="admonition hide above-input"><summary aria-label="Toggle hidden content">
<p class="collapsed admonition-title">Show code cell content</p></summary>
<div class="cell_input"><pre>stations.groupby("gu").size()  # the worked solution</pre></div>
<div class="cell_output"><figure class="align-default" id="id1">
<img alt="Bar chart of stations per district, from the worked solution" src="../../_images/fig.png" />
<figcaption><p><span class="caption-text">Worked solution: stations per district.</span>
<a class="headerlink" href="#id1">#</a></p></figcaption></figure></div>
</details></div>
<div class="cell tag_hide-input docutils container"><details class="hide above-input">
<summary aria-label="Toggle hidden content"><p>Show code cell source</p></summary>
<div class="cell_input"><pre>draw_the_map()</pre></div></details>
<div class="cell_output"><figure id="id2"><img alt="Map of the districts of the demo city" src="../../_images/fig.png" />
<figcaption><p><span class="caption-text">The districts.</span></p></figcaption></figure></div></div>
<div class="tip admonition"><p class="admonition-title">Try it</p><p>Write the first line of your memo.</p></div>
<details class="sd-sphinx-override sd-dropdown sd-card sd-mb-3"><summary class="sd-summary-title sd-card-header">
<span class="sd-summary-text">Worked answer</span></summary>
<div class="sd-summary-content sd-card-body docutils"><p class="sd-card-text">Start with the finding.</p></div></details>
<details class="sd-sphinx-override sd-dropdown sd-card"><summary class="sd-summary-title">
<span class="sd-summary-text">More about districts</span></summary>
<div class="sd-summary-content"><p>Seoul has 25 districts.</p></div></details>
<section id="key-points"><h2>Key points<a class="headerlink" href="#key-points">#</a></h2><p>Count first.</p></section>
"""

TOC = {
    "format": "jb-book",
    "root": "book/intro",
    "parts": [
        {
            "caption": "Modules",
            "chapters": [{"file": "modules/00-demo/index", "sections": [{"glob": "modules/00-demo/00*"}]}],
        },
        {"caption": "Reference", "chapters": [{"file": "book/other"}]},
    ],
}


@pytest.fixture
def small_book(tmp_path) -> Path:
    """A built book of one module (an index and a lesson) and one other page."""
    html = tmp_path / "html"
    (html / "modules" / "00-demo").mkdir(parents=True)
    (html / "book").mkdir()
    (html / "_images").mkdir()
    (html / "_images" / "fig.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (html / "searchindex.js").write_text("Search.setIndex({})")
    index = PAGE.format(anchor="module-0-demo", title="Module 0: Demo", body=INDEX_BODY)
    (html / "modules" / "00-demo" / "index.html").write_text(index)
    lesson = PAGE.format(anchor="a-counting", title="0a. Counting", body=LESSON_BODY)
    (html / "modules" / "00-demo" / "00a-lesson.html").write_text(lesson)
    (html / "book" / "other.html").write_text(PAGE.format(anchor="other", title="Other", body=""))
    return html


def _document(html: Path) -> tuple[print_html.PrintDocument, BeautifulSoup]:
    [module] = print_html.modules_in_book(TOC, html)
    document = print_html.assemble(module, html)
    return document, BeautifulSoup(document.html, "html.parser")


# --------------------------------------------------------------------------- the print document


def test_a_module_is_its_pages_in_the_order_of_the_toc(small_book):
    modules = print_html.modules_in_book(TOC, small_book)
    assert [(m.name, m.pages) for m in modules] == [
        ("00-demo", ["modules/00-demo/index.html", "modules/00-demo/00a-lesson.html"])
    ]


def test_worked_solutions_move_to_an_appendix_with_their_task(small_book):
    document, soup = _document(small_book)
    lesson = soup.find(id="p2-top")
    appendix = soup.find(id="appendix")
    assert document.solutions == 2
    assert "groupby" not in lesson.get_text() and "Start with the finding" not in lesson.get_text()
    refs = [a["href"] for a in lesson.select(".pdf-solution-ref a")]
    assert refs == ["#solution-1", "#solution-2"]
    first, second = appendix.select("section.pdf-solution")
    assert "Count the stations per district." in first.get_text()
    assert 'stations.groupby("gu").size()' in first.get_text()
    assert first.find("figcaption") is not None, "the solution's figure goes with it"
    assert "Write the first line of your memo." in second.get_text()
    assert "Start with the finding." in second.get_text()
    assert "Worked answer" not in second.get_text()
    # a dropdown that is not a solution stays in the lesson, open
    assert "Seoul has 25 districts." in lesson.get_text()


def test_collapsed_cells_and_dropdowns_print_open(small_book):
    _, soup = _document(small_book)
    assert soup.find("details") is None and soup.find("summary") is None
    assert "draw_the_map()" in soup.get_text()
    assert "Show code cell" not in soup.get_text()
    assert "More about districts" in soup.get_text()


def test_links_stay_inside_the_pdf_and_images_point_at_the_built_files(small_book):
    _, soup = _document(small_book)
    hrefs = {" ".join(a.get_text().split()): a["href"] for a in soup.find_all("a", href=True)}
    assert hrefs["the module"] == "#p1-module-0-demo"
    assert hrefs["the key points"] == "#p2-key-points"
    assert hrefs["0a. Counting"] == "#p2-top"
    assert hrefs["the portal"] == "https://data.seoul.go.kr"
    assert "the glossary" not in hrefs and "the glossary" in re.sub(r"\s+", " ", soup.get_text())
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "two elements share an id"
    targets = {h.lstrip("#") for h in hrefs.values() if h.startswith("#")}
    assert targets <= set(ids), f"links to nothing: {targets - set(ids)}"
    for img in soup.find_all("img"):
        assert img["src"].startswith("file://") and Path(img["src"][7:]).is_file()
    assert "Launch buttons" not in soup.get_text(), "only the article is printed"
    assert "#" not in [a.get_text() for a in soup.find_all("a")], "permalinks are not printed"


def test_the_download_link_is_added_once_and_never_printed(small_book):
    page = small_book / "modules" / "00-demo" / "index.html"
    once = pdf.add_link(page.read_text(), "../../_downloads/pdf/00-demo.pdf", 3_400_000)
    twice = pdf.add_link(once, "../../_downloads/pdf/00-demo.pdf", 3_500_000)
    assert twice.count(pdf.LINK_START) == 1 and "3.3 MB" in twice and "3.2 MB" not in twice
    assert twice.index("</h1>") < twice.index(pdf.LINK_START) < twice.index("</article>")
    page.write_text(twice)
    _, soup = _document(small_book)
    assert soup.find(class_=print_html.PDF_LINK_CLASS) is None


def test_a_translated_book_prints_its_own_words(small_book):
    """The words the PDF adds (title page, contents, appendix, footer, download link) are in the
    book's language, from the course catalogue; English when the book is English."""
    for page in small_book.rglob("*.html"):
        page.write_text(page.read_text().replace('<html lang="en">', '<html lang="ru-RU">'))
    document, soup = _document(small_book)
    assert document.language == "ru"
    front = soup.select_one(".pdf-front").get_text(" ")
    assert "Содержание" in front and "Все наборы данных курса синтетические" in front, front
    appendix = soup.select_one("#appendix")
    assert appendix.h1.get_text() == "Приложение: разобранные решения"
    assert appendix.select_one(".pdf-solution-back a").get_text() == "Назад к уроку"
    assert "Страница" in pdf.footer("Модуль 0", "ru") and "pageNumber" in pdf.footer("Модуль 0", "ru")
    page = (small_book / "modules" / "00-demo" / "index.html").read_text()
    assert "Скачать этот модуль в PDF" in pdf.add_link(page, "x.pdf", 3_000_000)
    english = pdf.add_link(page.replace('lang="ru-RU"', 'lang="en"'), "x.pdf", 3_000_000)
    assert "Download this module as a PDF</a> (2.9 MB)" in english


def test_bad_input_says_what_to_do(small_book, tmp_path):
    with pytest.raises(pdf.PdfError, match="make book"):
        pdf.module_pages(tmp_path / "nothing-built", ROOT)
    with pytest.raises(pdf.PdfError, match=r"No module called 99-nowhere.*Choose from: 00-"):
        pdf.render(ROOT / "_build" / "pytest-book" / "_build" / "html", tmp_path, ROOT, only=["99-nowhere"])


# --------------------------------------------------------------------------- the check itself


def test_the_comparison_names_a_missing_heading_figure_and_solution():
    html = pdfcheck.ModuleHtml(
        headings=["Key points", "Key points"],
        figures=[pdfcheck.Figure("a.html", "Map of the districts", "The districts.")],
        solutions=1,
    )
    complete = pdfcheck.ModulePdfText(
        pages=1,
        text="Key points ... Key points. The districts. Solution 1: 0a",
        outline=["Key points", "Key points"],
        figure_alts=["Map of the districts"],
        images=1,
        tagged=True,
        lang="en",
    )
    assert pdfcheck.compare(html, complete) == []
    planted = pdfcheck.ModulePdfText(
        pages=1, text="Key points", outline=["Key points"], figure_alts=[], images=0, tagged=True, lang="en"
    )
    problems = "\n".join(pdfcheck.compare(html, planted))
    assert "heading 'Key points' is not in the PDF's outline" in problems
    assert "figure caption 'The districts.'" in problems
    assert "'Map of the districts' (a.html) is not a tagged figure" in problems
    assert "draws 0 images for 1 figures" in problems
    assert "the appendix has 0 worked solutions, the module 1" in problems


def test_a_pdf_without_text_fails_the_text_check(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    blank = tmp_path / "blank.pdf"
    with blank.open("wb") as out:
        writer.write(out)
    problems = "\n".join(pdfcheck.text_problems(pdfcheck.read_pdf(blank), "Module 0: Orientation"))
    assert "only 0 characters of text could be extracted from 3 pages" in problems
    assert "title 'Module 0: Orientation' is not in the PDF's text" in problems
    assert "not tagged" in problems and "language" in problems


# --------------------------------------------------------------------------- the real PDFs

BROWSER_MARKS = [
    pytest.mark.skipif(
        find_chromium() is None,
        reason="no Chromium: apt-get install chromium (as .ci/run does), or set SMARTSEOUL_CHROMIUM",
    ),
    pytest.mark.book,
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("book"),
]


def in_browser(test):
    """The marks of a test that needs the built book and Chromium (run on the book's worker)."""
    for mark in reversed(BROWSER_MARKS):
        test = mark(test)
    return test


@pytest.fixture(scope="module")
def module_pdfs(html_dir) -> list[pdf.ModulePdf]:
    """Every module of the test build printed once, into _build/pytest-book/_build/pdf/."""
    return pdf.render(html_dir, html_dir.parent / "pdf", root=ROOT, echo=lambda _: None)


@in_browser
def test_each_module_pdf_has_every_heading_figure_and_solution_of_its_pages(module_pdfs, html_dir):
    assert [m.module[:3] for m in module_pdfs] == MODULES, "one PDF for each of modules 0 to 6"
    problems, summary = [], []
    for made in module_pdfs:
        html = pdfcheck.module_html(html_dir, made.pages)
        read = pdfcheck.read_pdf(made.pdf)
        found = pdfcheck.compare(html, read) + pdfcheck.text_problems(read, html.headings[0])
        found += [f"asked for {url} (the PDF must be made offline)" for url in made.refused]
        problems += [f"{made.pdf.name}: {p}" for p in found]
        assert len(html.headings) > 10 and html.figures and html.solutions, f"{made.module}: an empty module?"
        summary.append(
            f"{made.pdf.name}: {read.pages} pages, {len(html.headings)} headings, {len(html.figures)} figures, "
            f"{html.solutions} solutions, {len(read.text)} characters, {made.bytes / 1e6:.1f} MB"
        )
    print("\n".join(summary))
    assert not problems, "\n".join(problems[:40])


@in_browser
def test_a_pdf_with_a_heading_and_a_figure_taken_out_fails_the_check(module_pdfs, html_dir, tmp_path):
    made = module_pdfs[0]
    printed = made.pdf.parent / "print-html" / f"{made.module}.html"
    source = printed.read_text(encoding="utf-8")
    heading = re.search(r"<h2>(.*?)</h2>", source)
    figure = re.search(r"<figure\b.*?</figure>", source, re.S)
    assert heading and figure
    planted = tmp_path / "planted.html"
    planted.write_text(source.replace(heading.group(0), "", 1).replace(figure.group(0), "", 1))
    with pdf.chromium_browser() as browser:
        pdf.print_file(browser, planted, tmp_path / "planted.pdf", made.title)
    problems = "\n".join(
        pdfcheck.compare(
            pdfcheck.module_html(html_dir, made.pages), pdfcheck.read_pdf(tmp_path / "planted.pdf")
        )
    )
    assert f"heading {heading.group(1)!r} is not in the PDF's outline" in problems
    caption = re.sub(
        r"\s+",
        " ",
        re.sub(r"<[^>]+>", "", re.search(r'caption-text">(.*?)</span>', figure.group(0)).group(1)),
    )
    assert caption[:40] in problems, problems


@in_browser
def test_an_arabic_module_pdf_is_right_to_left_and_stays_on_the_paper(html_dir, tmp_path):
    """The Arabic book's module 0, printed: its own words, and no letter off the edge of a sheet
    (a right-to-left sheet laid out too wide loses the start of every line on the left)."""
    import pypdfium2 as pdfium

    [made] = pdf.render(html_dir / "ar", tmp_path, root=ROOT, only=["00-orientation"], echo=lambda _: None)
    doc = pdfium.PdfDocument(made.pdf)
    off, letters, first = 0, 0, ""
    for n in range(len(doc)):
        sheet = doc[n]
        width, _height = sheet.get_size()
        text = sheet.get_textpage()
        if n == 0:
            first = text.get_text_range()
        for i in range(text.count_chars()):
            left, _bottom, right, _top = text.get_charbox(i)
            letters += 1
            off += left < -1 or right > width + 1
    print(f"{made.pdf.name} (ar): {len(doc)} pages, {letters} characters, {off} off the paper")
    # the words the PDF adds are Arabic (pdfium gives right-to-left text in visual order, so count
    # letters rather than look for words)
    assert len(re.findall("[\u0600-\u06ff]", first)) > 100, first[:300]
    assert "Contents" not in first and "Page 1 of" not in first, first[:300]
    assert letters > 10_000 and off == 0, f"{off} of {letters} characters are off the edge of the paper"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@in_browser
def test_each_module_page_links_to_its_pdf_in_the_browser(module_pdfs, html_dir):
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html_dir))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    fetched: dict[str, bool] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(find_chromium()), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            for made in module_pdfs:
                for rel in made.pages:
                    page.goto(f"{site}/{rel}", wait_until="load")
                    links = page.locator(f"article .{print_html.PDF_LINK_CLASS} a")
                    if links.count() != 1 or not links.first.is_visible():
                        problems.append(f"{rel}: {links.count()} visible links to the module PDF")
                        continue
                    href = links.first.evaluate("a => a.href")
                    if href not in fetched:  # each PDF once: all pages of a module link to the same
                        response = page.request.get(href)
                        fetched[href] = response.status == 200 and response.body() == made.pdf.read_bytes()
                    if not fetched[href]:
                        problems.append(f"{rel}: the link {href} does not give {made.pdf.name}")
                if made is module_pdfs[0]:
                    page.goto(f"{site}/{made.pages[0]}", wait_until="load")
                    page.screenshot(path=str(ARTIFACTS / "module-page-with-pdf-link.png"))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert not problems, "\n".join(problems)


@in_browser
def test_module_0_pdf_as_png_pages_for_the_closing_note(module_pdfs):
    import pypdfium2

    made = module_pdfs[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(made.pdf)
    texts = pdfcheck.page_texts(made.pdf)
    with_figure = next(i for i, t in enumerate(texts) if "Fig." in t)
    appendix = next(i for i, t in enumerate(texts) if "Appendix: worked solutions" in t and i > 0)
    saved = []
    for name, index in (
        ("title", 0),
        ("first-lesson-page", 1),
        ("figure", with_figure),
        ("appendix", appendix),
    ):
        out = ARTIFACTS / f"{made.module}-page-{index + 1}-{name}.png"
        document[index].render(scale=1.5).to_pil().save(out)
        assert out.stat().st_size > 20_000, f"{out} looks blank"
        saved.append(out.name)
    document.close()
    print("saved", ", ".join(saved), "in", ARTIFACTS)
