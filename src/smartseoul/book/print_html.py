"""One printable HTML document per module, made from the built book's pages.

A module's pages (its index, its lessons and its "Python you have met" page) are joined in the
order of the table of contents, so that Chromium can print them as one PDF (`smartseoul.book.pdf`).
A PDF cannot open or close anything, so:

- every collapsed cell and dropdown is shown open;
- the worked solutions (code cells tagged `try-it-solution`, and `Worked answer` / `Worked
  solution` dropdowns) move to an appendix at the end, each with a copy of its Try-it task, and
  leave a short reference in the lesson. A trainee can try the task before looking;
- links between the module's pages become links inside the PDF; links to other pages of the book
  become plain text (they would lead nowhere from a PDF); web links stay.

Images point at the built book's files (file:// addresses), so nothing is copied or downloaded."""

from __future__ import annotations

import copy
import datetime
import importlib.util
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from ..i18n.messages import available, gettext_in, match
from . import audit

#: the tag of a code cell that holds the worked solution of the Try-it box above it
SOLUTION_TAG = "try-it-solution"
#: the titles of dropdowns that hold a worked solution
WORKED_TITLE = re.compile(r"^\s*Worked (?:solution|answer)\b", re.IGNORECASE)
#: the class of the download link that `smartseoul.book.pdf` adds to module pages: never printed
PDF_LINK_CLASS = "smartseoul-module-pdf"
COURSE = "Smart Seoul Data Lab"


def course_language(html_lang: str) -> str:
    """The course language of a built book from its <html lang> ("ru-RU" -> "ru"; "en" if none)."""
    return match(html_lang, available()) or "en"


@dataclass
class ModulePages:
    """One module of the book: its folder name (`00-orientation`) and its pages in reading order,
    as paths relative to the built HTML folder."""

    name: str
    pages: list[str]


@dataclass
class Solution:
    number: int
    page_title: str
    section: str
    task: Tag | None
    body: Tag


@dataclass
class PrintDocument:
    module: str
    title: str
    html: str
    headings: list[str] = field(default_factory=list)
    figures: int = 0
    solutions: int = 0
    language: str = "en"  #: the course language of the book it was printed from


def modules_in_book(toc: dict, html_dir: Path) -> list[ModulePages]:
    """The module chapters of the table of contents (files under `modules/`) whose pages were
    built, each with its sections (files and globs) in order."""
    from .toc import glob_matches

    built = {p.relative_to(html_dir).with_suffix("").as_posix() for p in audit.html_pages(html_dir)}
    found = []
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            index = chapter.get("file", "")
            if not index.startswith("modules/") or index not in built:
                continue
            docnames = [index]
            for section in chapter.get("sections", []):
                if "file" in section:
                    docnames += [section["file"]] if section["file"] in built else []
                elif "glob" in section:
                    docnames += glob_matches(section["glob"], built, set(docnames))
            found.append(ModulePages(index.split("/")[1], [f"{d}.html" for d in docnames]))
    return found


def _article(page: Path) -> tuple[BeautifulSoup, Tag]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article", class_="bd-article")
    if not isinstance(article, Tag):
        raise ValueError(
            f"{page} has no <article class='bd-article'>: is it a page of the built book? "
            "Build the book again with 'make book'."
        )
    return soup, article


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    if value is None:
        return []
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def _text(tag: Tag | None) -> str:
    return re.sub(r"\s+", " ", tag.get_text(" ")).strip() if tag is not None else ""


def _heading_text(tag: Tag) -> str:
    """A heading's words without its '#' permalink."""
    clone = copy.copy(tag)
    for link in clone.find_all("a", class_="headerlink"):
        link.decompose()
    return _text(clone)


def is_solution(tag: Tag) -> bool:
    if tag.name == "div" and SOLUTION_TAG in [c.removeprefix("tag_") for c in _classes(tag)]:
        return "cell" in _classes(tag)
    if tag.name == "details" and "sd-dropdown" in _classes(tag):
        summary = tag.find("summary")
        return summary is not None and bool(WORKED_TITLE.match(_text(summary)))
    return False


def _is_try_it(tag: Tag) -> bool:
    if tag.name != "div" or "admonition" not in _classes(tag):
        return False
    title = tag.find("p", class_="admonition-title")
    return title is not None and _text(title).lower().startswith("try it")


def _open_details(article: Tag, soup: BeautifulSoup) -> None:
    """Collapsed cells and dropdowns, shown open: a printed page cannot be clicked."""
    for details in article.find_all("details"):
        summary = details.find("summary", recursive=False)
        box = soup.new_tag("div")
        dropdown = "sd-dropdown" in _classes(details)
        # a dropdown keeps its card look; a cell's toggle loses its "admonition" box
        box["class"] = " ".join([*_classes(details), "pdf-opened"]) if dropdown else "pdf-opened"
        if summary is not None:
            if dropdown:
                title = soup.new_tag("p")
                title["class"] = "pdf-dropdown-title"
                title.string = _text(summary)
                summary.replace_with(title)
            else:  # a notebook cell's "Show code cell content" toggle: nothing to read
                summary.decompose()
        for child in list(details.contents):
            box.append(child.extract())
        details.replace_with(box)


def _prefix_ids(article: Tag, prefix: str) -> None:
    for tag in article.find_all(id=True):
        tag["id"] = prefix + str(tag["id"])


def _rewrite_links(
    article: Tag, page_rel: str, prefix: str, prefixes: dict[str, str], html_dir: Path
) -> None:
    """Links inside the module become links inside the PDF; other book pages become text; images
    point at the built files."""
    for img in article.find_all("img", src=True):
        src = str(img["src"])
        if not urlsplit(src).scheme:
            target = html_dir / posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(src)))
            img["src"] = target.resolve().as_uri()
    for link in article.find_all("a", href=True):
        href = str(link["href"])
        parts = urlsplit(href)
        if parts.scheme:
            continue
        if not parts.path:
            link["href"] = f"#{prefix}{parts.fragment}" if parts.fragment else f"#{prefix}top"
            continue
        linked = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(parts.path)))
        if linked in prefixes:
            other = prefixes[linked]
            link["href"] = f"#{other}{parts.fragment}" if parts.fragment else f"#{other}top"
        else:
            link.unwrap()


def _drop_screen_only(article: Tag) -> None:
    """Permalinks, buttons and the PDF's own download link: screen furniture, not content."""
    for tag in article.find_all(["script", "button", "noscript"]):
        tag.decompose()
    for tag in article.find_all(class_=["headerlink", PDF_LINK_CLASS]):
        tag.decompose()


def _solution_body(found: Tag, soup: BeautifulSoup) -> Tag:
    """What the appendix shows of a solution: a code cell whole, a dropdown's content without its
    "Worked answer" title (the appendix says what it is)."""
    body = soup.new_tag("div")
    body["class"] = "pdf-solution-body"
    if found.name == "details":
        content = found.find(class_="sd-summary-content") or found
        for child in list(content.contents):
            if getattr(child, "name", None) != "summary":
                body.append(child.extract())
    else:
        body.append(found)
    return body


def _collect_solutions(
    article: Tag, soup: BeautifulSoup, page_title: str, first_number: int
) -> list[Solution]:
    """Take each worked solution out of the page, leaving a reference to the appendix."""
    solutions: list[Solution] = []
    taken: list[Tag] = []
    for found in [t for t in article.find_all(["div", "details"]) if is_solution(t)]:
        if any(parent is outer for parent in found.parents for outer in taken):
            continue  # inside a solution already taken out: it goes with it
        taken.append(found)
        number = first_number + len(solutions)
        task = None
        for previous in found.find_all_previous("div"):
            if _is_try_it(previous):
                task = copy.copy(previous)
                for tag in task.find_all(id=True):
                    del tag["id"]
                break
        heading = found.find_previous(re.compile(r"^h[1-4]$"))
        section = _heading_text(heading) if isinstance(heading, Tag) else page_title
        reference = soup.new_tag("p")
        reference["class"] = "pdf-solution-ref"
        reference["id"] = f"solution-{number}-ref"
        reference.append("Worked solution: see ")
        link = soup.new_tag("a", href=f"#solution-{number}")
        link.string = f"solution {number} in the appendix"
        reference.append(link)
        reference.append(".")
        found.replace_with(reference)
        solutions.append(Solution(number, page_title, section, task, _solution_body(found, soup)))
    return solutions


def assemble(module: ModulePages, html_dir: Path, built_on: datetime.date | None = None) -> PrintDocument:
    """The module's pages as one HTML document for printing, with the solutions in an appendix."""
    html_dir = html_dir.resolve()
    prefixes = {page: f"p{n}-" for n, page in enumerate(module.pages, start=1)}
    out = BeautifulSoup("<!DOCTYPE html><html><head></head><body></body></html>", "html.parser")
    head, body = out.head, out.body
    assert head is not None and body is not None
    main = out.new_tag("main")
    body.append(main)
    contents: list[tuple[str, str]] = []
    solutions: list[Solution] = []
    headings: list[str] = []
    figures = 0
    lang, direction = "en", "ltr"
    for n, page_rel in enumerate(module.pages, start=1):
        page = html_dir / page_rel
        if not page.is_file():
            raise FileNotFoundError(f"{page} is missing: build the book first with 'make book'.")
        soup, article = _article(page)
        if n == 1:
            lang = str(soup.html.get("lang", "en")) if soup.html else "en"
            direction = str(soup.html.get("dir", "ltr")) if soup.html else "ltr"
            for sheet in soup.find_all("link", rel="stylesheet", href=True):
                href = str(sheet["href"])
                if not urlsplit(href).scheme:
                    target = html_dir / posixpath.normpath(
                        posixpath.join(posixpath.dirname(page_rel), href.split("?")[0])
                    )
                    head.append(out.new_tag("link", rel="stylesheet", href=target.as_uri()))
        prefix = prefixes[page_rel]
        h1 = article.find("h1")
        title = _heading_text(h1) if isinstance(h1, Tag) else page_rel
        headings += [_heading_text(h) for h in article.find_all(re.compile(r"^h[1-6]$"))]
        figures += len(article.find_all("figure"))
        _drop_screen_only(article)
        _prefix_ids(article, prefix)
        _rewrite_links(article, page_rel, prefix, prefixes, html_dir)
        found = _collect_solutions(article, soup, title, len(solutions) + 1)
        _open_details(article, soup)
        for solution in found:
            _open_details(solution.body, soup)
        solutions += found
        article.name = "article"
        article["class"] = "bd-article pdf-page"
        article["id"] = f"{prefix}top"
        main.append(article)
        contents.append((f"#{prefix}top", title))
    module_title = contents[0][1] if contents else module.name
    out.html["lang"] = lang  # type: ignore[index]
    out.html["dir"] = direction  # type: ignore[index]
    out.html["data-theme"] = "light"  # type: ignore[index]
    out.html["data-mode"] = "light"  # type: ignore[index]
    head.insert(0, out.new_tag("meta", charset="utf-8"))
    title_tag = out.new_tag("title")
    title_tag.string = f"{module_title}: {COURSE}"
    head.append(title_tag)
    style = out.new_tag("style")
    style.string = PRINT_CSS + _font_faces()
    head.append(style)
    language = course_language(lang)
    main.insert(0, _front_page(out, module_title, contents, len(solutions), built_on, language))
    if solutions:
        main.append(_appendix(out, solutions, language))
    return PrintDocument(
        module=module.name,
        title=module_title,
        html=str(out),
        headings=headings,
        figures=figures,
        solutions=len(solutions),
        language=language,
    )


def _front_page(
    out: BeautifulSoup,
    title: str,
    contents: Sequence[tuple[str, str]],
    solutions: int,
    built_on: datetime.date | None,
    language: str = "en",
) -> Tag:
    """A title page and a list of contents, in the book's language. No heading here, so the PDF's
    outline starts with the module's own first heading."""
    built_on = built_on or datetime.date.today()
    front = out.new_tag("div")
    front["class"] = "pdf-front"
    about = [
        gettext_in(
            language,
            "This PDF holds the pages of this module of the course book: the text, the figures "
            "with their captions, and the code with its results.",
        )
    ]
    if solutions:
        about.append(
            gettext_in(
                language,
                "The worked solutions of the {solutions} Try-it tasks are in the appendix at the "
                "end. Try each task before you read its solution.",
            ).format(solutions=solutions)
        )
    about.append(
        gettext_in(
            language,
            "All datasets in the course are synthetic: they imitate the shape of Seoul's open "
            "data, not its values.",
        )
    )
    for cls, text in (
        ("pdf-course", COURSE),
        ("pdf-title", title),
        ("pdf-about", " ".join(about)),
        (
            "pdf-built",
            gettext_in(language, "Made from the course book on {date}.").format(date=built_on.isoformat()),
        ),
    ):
        p = out.new_tag("p")
        p["class"] = cls
        p.string = text
        front.append(p)
    contents_label = gettext_in(language, "Contents")
    nav = out.new_tag("nav", attrs={"aria-label": contents_label})
    label = out.new_tag("p")
    label["class"] = "pdf-contents-title"
    label.string = contents_label
    nav.append(label)
    items = out.new_tag("ol")
    appendix_title = gettext_in(language, "Appendix: worked solutions")
    entries = list(contents) + ([("#appendix", appendix_title)] if solutions else [])
    for href, text in entries:
        li = out.new_tag("li")
        a = out.new_tag("a", href=href)
        a.string = text
        li.append(a)
        items.append(li)
    nav.append(items)
    front.append(nav)
    return front


def _appendix(out: BeautifulSoup, solutions: Sequence[Solution], language: str = "en") -> Tag:
    appendix = out.new_tag("section", id="appendix")
    appendix["class"] = "pdf-appendix bd-article"
    h1 = out.new_tag("h1")
    h1.string = gettext_in(language, "Appendix: worked solutions")
    appendix.append(h1)
    intro = out.new_tag("p")
    intro.string = gettext_in(
        language,
        "Each solution repeats its Try-it task. Your own answer may differ and still be right: "
        "compare the approach, not only the numbers.",
    )
    appendix.append(intro)
    for solution in solutions:
        section = out.new_tag("section", id=f"solution-{solution.number}")
        section["class"] = "pdf-solution"
        # the title, where the task is, and the task itself stay together on one sheet
        head = out.new_tag("div")
        head["class"] = "pdf-solution-head"
        h2 = out.new_tag("h2")
        h2.string = gettext_in(language, "Solution {number}: {title}").format(
            number=solution.number, title=solution.page_title
        )
        head.append(h2)
        where = out.new_tag("p")
        where["class"] = "pdf-solution-where"
        where.string = gettext_in(language, "The Try-it task in the section “{section}”.").format(
            section=solution.section
        )
        head.append(where)
        if solution.task is not None:
            head.append(solution.task)
        section.append(head)
        section.append(solution.body)
        back = out.new_tag("p")
        back["class"] = "pdf-solution-back"
        link = out.new_tag("a", href=f"#solution-{solution.number}-ref")
        link.string = gettext_in(language, "Back to the lesson")
        back.append(link)
        section.append(back)
        appendix.append(section)
    return appendix


#: the Hangul blocks of Unicode: only these letters take the bundled Korean font
HANGUL = "U+1100-11FF, U+3130-318F, U+A960-A97F, U+AC00-D7AF, U+D7B0-D7FF"


def _font_faces() -> str:
    """The Korean font that a course dependency ships (NanumGothic, in koreanize-matplotlib), for
    the Hangul letters only: the PDF then shows Korean on any machine, with or without a system
    font for it."""
    faces = []
    # found without importing it: importing the package sets up matplotlib, which is not needed here
    spec = importlib.util.find_spec("koreanize_matplotlib")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "fonts"
        for weight, name in (("400", "NanumGothic.ttf"), ("700", "NanumGothicBold.ttf")):
            if (folder / name).is_file():
                faces.append(
                    f'@font-face {{ font-family: "Course Hangul"; font-weight: {weight}; '
                    f'src: url("{(folder / name).as_uri()}"); unicode-range: {HANGUL}; }}'
                )
    return "\n".join(faces)


#: how the printed module looks: A4 pages, each book page on a new sheet, figures kept whole,
#: long code lines wrapped instead of cut off at the margin
PRINT_CSS = """
html { font-size: 10.5pt; }
/* no ligatures: "fi" stays two letters when the text is copied or read aloud */
body { margin: 0; background: #fff; color: #1a1a1a; font-variant-ligatures: none;
       font-family: "Course Hangul", var(--pst-font-family-base); }
pre, code, kbd, samp { font-family: "Course Hangul", var(--pst-font-family-monospace); }
/* the font's own line height: with the theme's tight one (1.15), the letters stick out of the
   line, and Chromium names a heading that starts a sheet twice in the PDF's outline */
h1, h2, h3, h4, h5, h6 { line-height: normal; }
figcaption, .caption-text { color: #333 !important; font-weight: 400 !important; }
main { max-width: none; }
/* right to left: without this the sheet lays the text out wider than the page, and the start of
   every line (its right end) is pushed off the left edge of the paper */
html[dir="rtl"], html[dir="rtl"] body { width: auto !important; min-width: 0 !important; overflow-x: hidden; }
.bd-article { padding: 0; }
.pdf-page, .pdf-appendix { break-before: page; }
.pdf-front { padding-top: 30mm; }
.pdf-course { font-size: 1.2rem; color: #444; margin: 0; }
.pdf-title { font-size: 2.2rem; font-weight: 700; margin: 0.2em 0 0.8em 0; line-height: 1.2; }
.pdf-about, .pdf-built { max-width: 40em; }
.pdf-built { color: #444; }
.pdf-contents-title { font-weight: 700; font-size: 1.2rem; margin-top: 2em; }
h1, h2, h3, h4, h5, h6 { break-after: avoid; break-inside: avoid; }
figure, img, table, .admonition, .pdf-solution-ref { break-inside: avoid; }
img { max-width: 100%; height: auto; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.8rem; }
.cell_output, .output, .highlight { overflow: visible !important; max-height: none !important; }
table { font-size: 0.8rem; }
a { color: #0b4f8a; }
.pdf-dropdown-title { font-weight: 700; margin-bottom: 0.3em; }
.pdf-solution { margin-top: 2em; }
.pdf-solution-head { break-inside: avoid; }
.pdf-solution-where { color: #444; font-style: italic; }
.pdf-solution-ref { border-left: 4px solid #0b4f8a; padding-left: 0.6em; font-style: italic; }
"""
