"""`smartseoul book pdf`: one PDF per module, printed from the built book by Debian's Chromium.

Trainees with a slow connection, and anyone who reads on paper, get each module as one file: its
pages with their figures and captions, and the worked solutions in an appendix
(`smartseoul.book.print_html` joins the pages). Chromium prints it through Playwright's
`page.pdf()` as a tagged PDF with an outline, so its text can be searched, copied and read aloud
by a screen reader. Nothing is downloaded: the browser is the machine's own, and the page may only
load files of the built book.

The PDFs go to `_build/pdf/<module>.pdf` and into the site (`_build/html/_downloads/pdf/`), and
every page of the module gets a link to its PDF under the page title."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from .. import paths
from ..browser import CHROMIUM_ARGS, NO_CHROMIUM, find_chromium
from ..i18n.messages import gettext_in
from . import print_html

#: where the PDFs go inside the built site, so the module pages can link to them
SITE_FOLDER = Path("_downloads") / "pdf"
LINK_START = "<!-- smartseoul-module-pdf -->"
LINK_END = "<!-- /smartseoul-module-pdf -->"
NO_BOOK = "There is no built book at {html}. Build it first with 'make book' (or 'smartseoul book build')."
NO_PLAYWRIGHT = (
    "The Python package 'playwright' is missing. Install the course's test tools with "
    "\"pip install -c constraints.txt -e '.[test]'\" (make venv does this)."
)


@dataclass
class ModulePdf:
    module: str
    title: str
    pdf: Path
    site_copy: Path
    pages: list[str]
    headings: list[str]
    figures: int
    solutions: int
    seconds: float
    bytes: int
    #: addresses outside the built book that the print page asked for (all refused)
    refused: list[str] = field(default_factory=list)


class PdfError(Exception):
    """A problem the person running the command can fix; the message says how."""


def module_pages(html_dir: Path, root: Path) -> list[print_html.ModulePages]:
    """The modules of the book's table of contents that were built into ``html_dir``."""
    from .toc import load

    if not (html_dir / "searchindex.js").is_file():
        raise PdfError(NO_BOOK.format(html=html_dir))
    return print_html.modules_in_book(load(root / "_toc.yml"), html_dir)


def footer(title: str, language: str = "en") -> str:
    """Chromium's page footer: the module and the page number (escaped: titles may hold '&')."""
    from html import escape

    page_of = escape(gettext_in(language, "Page {page} of {pages}")).format(
        page='<span class="pageNumber"></span>', pages='<span class="totalPages"></span>'
    )
    return (
        '<div style="font-size:8px;width:100%;padding:0 16mm;color:#444;display:flex;'
        'justify-content:space-between;font-family:sans-serif">'
        f"<span>Smart Seoul Data Lab · {escape(title)}</span>"
        f"<span>{page_of}</span></div>"
    )


def render(
    html_dir: Path,
    out_dir: Path,
    root: Path | None = None,
    only: Sequence[str] = (),
    echo=print,
) -> list[ModulePdf]:
    """Print every module (or the ones in ``only``) to ``out_dir/<module>.pdf``, copy each into the
    site and link it from the module's pages."""
    root = root or paths.course_root()
    html_dir = html_dir.resolve()
    modules = module_pages(html_dir, root)
    if only:
        unknown = sorted(set(only) - {m.name for m in modules})
        if unknown:
            raise PdfError(
                f"No module called {', '.join(unknown)} in the built book. "
                f"Choose from: {', '.join(m.name for m in modules)}."
            )
        modules = [m for m in modules if m.name in only]
    if not modules:
        raise PdfError(f"The built book at {html_dir} has no module pages: build it with 'make book'.")
    out_dir.mkdir(parents=True, exist_ok=True)
    print_dir = out_dir / "print-html"
    print_dir.mkdir(exist_ok=True)
    site_dir = html_dir / SITE_FOLDER
    site_dir.mkdir(parents=True, exist_ok=True)
    today = datetime.date.today()
    results = []
    with chromium_browser() as browser:
        for module in modules:
            started = time.perf_counter()
            document = print_html.assemble(module, html_dir, built_on=today)
            source = print_dir / f"{module.name}.html"
            source.write_text(document.html, encoding="utf-8")
            pdf = out_dir / f"{module.name}.pdf"
            refused = print_file(browser, source, pdf, document.title, document.language)
            site_copy = site_dir / pdf.name
            shutil.copyfile(pdf, site_copy)
            result = ModulePdf(
                module=module.name,
                title=document.title,
                pdf=pdf,
                site_copy=site_copy,
                pages=module.pages,
                headings=document.headings,
                figures=document.figures,
                solutions=document.solutions,
                seconds=time.perf_counter() - started,
                bytes=pdf.stat().st_size,
                refused=refused,
            )
            link_module_pages(html_dir, result)
            results.append(result)
            echo(
                f">> {pdf.name}: {len(module.pages)} book pages, {document.figures} figures, "
                f"{document.solutions} worked solutions, {human_size(result.bytes)}, "
                f"{result.seconds:.1f} s"
            )
            for url in refused:
                echo(f"   not loaded (the PDF is made offline): {url}")
    return results


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never a browser Playwright downloads)."""
    chromium = find_chromium()
    if chromium is None:
        raise PdfError(NO_CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError(NO_PLAYWRIGHT) from None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def print_file(browser, source: Path, pdf: Path, title: str, language: str = "en") -> list[str]:
    """Open a print page from disk, refuse anything from the network, and print it to ``pdf``.
    Returns the addresses it refused."""
    refused: list[str] = []
    context = browser.new_context()
    try:

        def refuse(route) -> None:
            refused.append(route.request.url)
            route.abort()

        context.route(re.compile(r"^(?!file:|data:)"), refuse)
        page = context.new_page()
        page.goto(source.as_uri(), wait_until="load")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        page.pdf(
            path=str(pdf),
            format="A4",
            margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=footer(title, language),
            tagged=True,
            outline=True,
        )
    finally:
        context.close()
    return refused


def human_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} kB"


def link_html(href: str, size: int, language: str = "en") -> str:
    from html import escape

    link = escape(gettext_in(language, "Download this module as a PDF"))
    rest = escape(
        gettext_in(
            language, "({size}), to read offline or to print. The worked solutions are in its appendix."
        ).format(size=human_size(size))
    )
    return (
        f'{LINK_START}<p class="{print_html.PDF_LINK_CLASS}"><a href="{href}" download>'
        f"{link}</a> {rest}</p>{LINK_END}"
    )


_HTML_LANG = re.compile(r'<html[^>]*\slang="([^"]*)"')


def add_link(page_html: str, href: str, size: int) -> str:
    """The page with one link to its module's PDF just under its title (an earlier link is
    replaced), in the page's language."""
    found = _HTML_LANG.search(page_html)
    language = print_html.course_language(found.group(1) if found else "en")
    page_html = re.sub(
        re.escape(LINK_START) + r".*?" + re.escape(LINK_END) + r"\n?", "", page_html, flags=re.S
    )
    article = page_html.find('<article class="bd-article"')
    end_h1 = page_html.find("</h1>", article)
    if article < 0 or end_h1 < 0:
        raise PdfError(
            "a module page has no title (h1) in its article: build the book again with 'make book'."
        )
    at = end_h1 + len("</h1>")
    return page_html[:at] + "\n" + link_html(href, size, language) + "\n" + page_html[at:]


def link_module_pages(html_dir: Path, result: ModulePdf) -> None:
    """Each page of the module links to the module's PDF in the site."""
    for page_rel in result.pages:
        page = html_dir / page_rel
        href = Path(os.path.relpath(result.site_copy, page.parent)).as_posix()
        page.write_text(add_link(page.read_text(encoding="utf-8"), href, result.bytes), encoding="utf-8")


def pdf_command(
    html: Path | None = typer.Option(None, help="The built book (default: _build/html of the course)."),
    out: Path | None = typer.Option(None, help="Where the PDFs go (default: _build/pdf of the course)."),
    module: list[str] = typer.Option(
        [], "--module", help="Only this module, for example 00-orientation (repeat for more)."
    ),
) -> None:
    """Print each module of the built book to one PDF (_build/pdf/<module>.pdf) with Chromium, and
    link it from the module's pages."""
    root = paths.course_root()
    html_dir = html or root / "_build" / "html"
    out_dir = out or root / "_build" / "pdf"
    try:
        results = render(html_dir, out_dir, root=root, only=module, echo=typer.echo)
    except (PdfError, FileNotFoundError, ValueError) as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from None
    total = sum(r.bytes for r in results)
    typer.echo(f"{len(results)} module PDF(s), {human_size(total)} in all, in {out_dir}")
