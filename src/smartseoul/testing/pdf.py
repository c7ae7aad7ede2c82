"""For tests only: compare a module's PDF with the module's built HTML pages.

What the HTML holds is read straight from the built pages (not from `smartseoul.book.print_html`,
the code under test): the headings of each page's article, each figure's alt text and caption,
and the number of worked solutions. What the PDF holds is read with pypdf: its outline (the
bookmarks a reader jumps with), its text as a screen reader or a copy-paste gets it, and its
tagged structure (the /Figure elements and their /Alt text); its text with pdfium, as a PDF reader
extracts it."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from ..book import audit

WORKED = re.compile(r"Worked (?:solution|answer)", re.IGNORECASE)
#: fewer characters than this on average per page: the text is not really there
MIN_CHARS_PER_PAGE = 200


def squash(text: str) -> str:
    """Text for comparing HTML with PDF: Unicode compatibility forms (no ligatures), no spaces
    (a PDF breaks lines where the browser wrapped them)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass
class Figure:
    page: str
    alt: str
    caption: str


@dataclass
class ModuleHtml:
    headings: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    solutions: int = 0


class _Figures(HTMLParser):
    """The <figure> elements of a page: the alt text of the image, the caption's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._in_figure = False
        self._in_caption = False
        self._in_headerlink = False
        self._alt = ""
        self._caption = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure":
            self._in_figure, self._alt, self._caption = True, "", ""
        elif self._in_figure and tag == "img":
            self._alt = a.get("alt") or ""
        elif self._in_figure and tag == "figcaption":
            self._in_caption = True
        elif self._in_caption and tag == "a" and "headerlink" in (a.get("class") or ""):
            self._in_headerlink = True

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_headerlink = False
        elif tag == "figcaption":
            self._in_caption = False
        elif tag == "figure" and self._in_figure:
            self.found.append((self._alt, re.sub(r"\s+", " ", self._caption).strip()))
            self._in_figure = False

    def handle_data(self, data):
        if self._in_caption and not self._in_headerlink:
            self._caption += data


def _article_html(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.find('<article class="bd-article"')
    return text[start : text.find("</article>", start)] if start >= 0 else ""


def module_html(html_dir: Path, pages: list[str]) -> ModuleHtml:
    """Headings, figures and the number of worked solutions of a module's built pages."""
    found = ModuleHtml()
    for rel in pages:
        page = html_dir / rel
        found.headings += [re.sub(r"#$", "", text).strip() for _, text in audit._collect(page).headings]
        article = _article_html(page)
        parser = _Figures()
        parser.feed(article)
        found.figures += [Figure(rel, alt, caption) for alt, caption in parser.found]
        found.solutions += len(re.findall(r'class="cell [^"]*\btag_try-it-solution\b', article))
        found.solutions += len(
            [
                m
                for m in re.findall(r'<span class="sd-summary-text">([^<]*)</span>', article)
                if WORKED.match(m)
            ]
        )
    return found


@dataclass
class ModulePdfText:
    pages: int
    text: str
    outline: list[str]
    figure_alts: list[str]
    images: int
    tagged: bool
    lang: str


def _outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))

    walk(reader.outline)
    return titles


def _figure_alts(reader: PdfReader) -> list[str]:
    """The /Alt text of every /Figure element of the tagged structure."""
    root = reader.root_object
    if "/StructTreeRoot" not in root:
        return []
    alts: list[str] = []
    stack: list[Any] = [root["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            stack += node
        elif isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
            if "/K" in node:
                stack.append(node["/K"])
    return alts


def _images(reader: PdfReader) -> int:
    """Image objects drawn on the pages (counted without decoding them)."""
    count = 0
    for page in reader.pages:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        if xobjects:
            count += sum(
                1 for x in xobjects.get_object().values() if x.get_object().get("/Subtype") == "/Image"
            )
    return count


def page_texts(path: Path) -> list[str]:
    """Each page's text as a reader application extracts it (pdfium, the engine of Chromium's
    own PDF viewer)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def read_pdf(path: Path) -> ModulePdfText:
    reader = PdfReader(path)
    root = reader.root_object
    mark = root.get("/MarkInfo")
    mark = mark.get_object() if mark is not None else None
    texts = page_texts(path)
    return ModulePdfText(
        pages=len(reader.pages),
        text="\n".join(texts),
        outline=_outline_titles(reader),
        figure_alts=_figure_alts(reader),
        images=_images(reader),
        tagged=isinstance(mark, DictionaryObject) and bool(mark.get("/Marked")) and "/StructTreeRoot" in root,
        lang=str(root.get("/Lang", "")),
    )


def text_problems(pdf: ModulePdfText, title: str) -> list[str]:
    """Whether a screen reader (or a search, or a copy) gets the PDF's text."""
    problems = []
    if len(pdf.text.strip()) < MIN_CHARS_PER_PAGE * max(1, pdf.pages):
        problems.append(
            f"only {len(pdf.text.strip())} characters of text could be extracted from {pdf.pages} pages"
        )
    if squash(title) not in squash(pdf.text):
        problems.append(f"the module title {title!r} is not in the PDF's text")
    if not pdf.tagged:
        problems.append("the PDF is not tagged (no /MarkInfo /Marked and /StructTreeRoot)")
    if not pdf.lang:
        problems.append("the PDF does not declare its language (/Lang)")
    return problems


def compare(html: ModuleHtml, pdf: ModulePdfText) -> list[str]:
    """What of the module's HTML the PDF lacks: a heading (in the outline and in the text), a
    figure (its caption in the text, its alt text on a tagged /Figure, and an image), or a worked
    solution in the appendix."""
    problems = []
    text = squash(pdf.text)
    outline = Counter(squash(t) for t in pdf.outline)
    for heading in html.headings:
        key = squash(heading)
        if outline[key] > 0:
            outline[key] -= 1  # a heading such as "Key points" is in several pages: count each
        else:
            problems.append(f"heading {heading!r} is not in the PDF's outline")
        if key not in text:
            problems.append(f"heading {heading!r} is not in the PDF's text")
    alts = [squash(a) for a in pdf.figure_alts]
    for figure in html.figures:
        if squash(figure.caption) not in text:
            problems.append(
                f"figure caption {figure.caption[:70]!r} ({figure.page}) is not in the PDF's text"
            )
        if squash(figure.alt) not in alts:
            problems.append(
                f"figure {figure.alt[:70]!r} ({figure.page}) is not a tagged figure with its alt text"
            )
    if pdf.images < len(html.figures):
        problems.append(f"the PDF draws {pdf.images} images for {len(html.figures)} figures")
    in_appendix = len(set(re.findall(r"Solution(\d+):", text)))
    if in_appendix != html.solutions:
        problems.append(f"the appendix has {in_appendix} worked solutions, the module {html.solutions}")
    return problems
