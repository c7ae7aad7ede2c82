"""Checks on the built HTML: every toc page is there, every image has alt text, headings go in
order, no notebook output is an error, and no solution or hidden test of any exercise leaked
into a page or the search index. Used by tests/book and handy after `make book`:

    python -m smartseoul.book.audit _build/html
"""

from __future__ import annotations

import html as htmllib
import itertools
import json
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from ..exercises.cells import HIDDEN, MARK_SCHEME, SOLUTION, regions

SKIP_DIRS = {"_static", "_sources", "_images", "_downloads"}
#: alt texts that say nothing about the picture
GENERIC_ALT = {"image", "figure", "img", "picture", "png", "svg", "output", "plot", "chart", "graph", "map"}


def translations(html_dir: Path) -> list[Path]:
    """The translated books inside a built book (`_build/html/<lang>/`, each a site of its own)."""
    if not html_dir.is_dir():
        return []
    return sorted(d for d in html_dir.iterdir() if d.is_dir() and (d / "searchindex.js").is_file())


def html_pages(html_dir: Path) -> list[Path]:
    """The pages of one book (the translated books inside it are books of their own)."""
    nested = {d.name for d in translations(html_dir)}
    return sorted(
        p
        for p in html_dir.rglob("*.html")
        if not (set(p.relative_to(html_dir).parts[:-1]) & SKIP_DIRS)
        and p.relative_to(html_dir).parts[0] not in nested
    )


class _Collector(HTMLParser):
    """Images, headings inside the article, and error outputs of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []
        self.headings: list[tuple[int, str]] = []
        self.error_outputs = 0
        self._article_depth = 0
        self._depth = 0
        self._heading: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag not in ("img", "br", "hr", "meta", "link", "input", "source"):
            self._depth += 1
        if tag == "article" and "bd-article" in classes:
            self._article_depth = self._depth
        if tag == "img":
            self.images.append(a)
        if tag == "div" and ("traceback" in classes or ("output" in classes and "error" in classes)):
            self.error_outputs += 1
        if self._article_depth and re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]

    def handle_endtag(self, tag):
        if self._heading is not None and re.fullmatch(r"h[1-6]", tag):
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None
        if tag not in ("img", "br", "hr", "meta", "link", "input", "source"):
            if self._article_depth and self._depth == self._article_depth and tag == "article":
                self._article_depth = 0
            self._depth -= 1

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data


def _collect(page: Path) -> _Collector:
    c = _Collector()
    c.feed(page.read_text(encoding="utf-8"))
    return c


def alt_problem(alt: str | None, src: str) -> str | None:
    """Why an alt text is not acceptable, or None. Decorative images must say so explicitly
    (role="presentation"), which the book does not use."""
    if alt is None:
        return "no alt attribute"
    text = alt.strip()
    if not text:
        return "empty alt"
    name = src.rsplit("/", 1)[-1]
    if text in (src, name) or re.search(r"\.(png|jpe?g|svg|gif|webp)$", text, re.I):
        return f"alt is a file name ({text!r})"
    if text.lower() in GENERIC_ALT:
        return f"alt says nothing about the image ({text!r})"
    return None


def images_without_alt(html_dir: Path) -> list[str]:
    problems = []
    for page in html_pages(html_dir):
        for img in _collect(page).images:
            why = alt_problem(img.get("alt"), img.get("src", ""))
            if why:
                problems.append(f"{page.relative_to(html_dir)}: <img src={img.get('src')!r}>: {why}")
    return problems


def heading_problems(html_dir: Path) -> list[str]:
    """Each content page starts with one h1 and never skips a level going down."""
    problems = []
    for page in html_pages(html_dir):
        if page.name in ("genindex.html", "search.html", "index.html") and page.parent == html_dir:
            continue
        heads = _collect(page).headings
        if not heads:
            continue
        levels = [h[0] for h in heads]
        if levels[0] != 1:
            problems.append(f"{page.relative_to(html_dir)}: first heading is h{levels[0]} ({heads[0][1]!r})")
        if levels.count(1) > 1:
            problems.append(f"{page.relative_to(html_dir)}: {levels.count(1)} h1 headings")
        for (a, _), (b, text) in itertools.pairwise(heads):
            if b > a + 1:
                problems.append(f"{page.relative_to(html_dir)}: h{a} followed by h{b} ({text!r})")
    return problems


def error_outputs(html_dir: Path, ignore: tuple[str, ...] = ()) -> list[str]:
    return [
        str(p.relative_to(html_dir))
        for p in html_pages(html_dir)
        if not str(p.relative_to(html_dir)).startswith(ignore) and _collect(p).error_outputs
    ]


def missing_pages(html_dir: Path, docnames: list[str]) -> list[str]:
    return [d for d in docnames if not (html_dir / f"{d}.html").is_file()]


# --------------------------------------------------------------------------- leaks

MIN_NEEDLE = 12


@dataclass(frozen=True)
class Needle:
    assignment: str
    kind: str
    text: str


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def secret_and_public_lines(notebook: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(kind, line) pairs a trainee must never see, and the lines they do see."""
    nb = nbformat.read(notebook, as_version=4)
    secret: list[tuple[str, str]] = []
    public: list[str] = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        src = cell.source
        if cell.cell_type == "markdown":
            inside, outside = regions(src, *MARK_SCHEME)
            secret += [("mark scheme", line) for line in inside]
            if meta.get("solution"):
                # a written answer: the model answer is replaced by the text stub in the release
                secret += [("model answer", line) for line in outside]
            else:
                public += outside
            continue
        if cell.cell_type != "code":
            continue
        inside_h, rest = regions(src, *HIDDEN)
        secret += [("hidden test", line) for line in inside_h]
        inside_s, rest = regions("\n".join(rest), *SOLUTION)
        secret += [("solution", line) for line in inside_s]
        public += rest
    return secret, public


def leak_needles(exercises_dir: Path, public_sources: tuple[Path, ...] | list[Path] = ()) -> list[Needle]:
    """Distinctive lines of every solution region, hidden test and mark scheme: lines that appear
    nowhere a trainee may legitimately see them (the public parts of the exercises, the module
    pages, the student versions)."""
    notebooks = sorted(p for p in exercises_dir.glob("*/*.ipynb") if p.parent.name == p.stem)
    secrets: list[tuple[str, str, str]] = []
    public_text: list[str] = []
    for nb in notebooks:
        secret, public = secret_and_public_lines(nb)
        secrets += [(nb.stem, kind, line) for kind, line in secret]
        public_text += public
    for src in public_sources:
        if src.suffix == ".ipynb":
            public_text += [c.source for c in nbformat.read(src, as_version=4).cells]
        elif src.is_file():
            public_text.append(src.read_text(encoding="utf-8"))
    public_blob = _norm("\n".join(public_text))
    needles, seen = [], set()
    for assignment, kind, line in secrets:
        text = _norm(line)
        if len(text) < MIN_NEEDLE or not re.search(r"[A-Za-z가-힣]{3}", text) or text.startswith("#"):
            continue
        if text in public_blob or text in seen:
            continue
        seen.add(text)
        needles.append(Needle(assignment, kind, text))
    return needles


def page_text(page: Path) -> str:
    """The text a reader (or a copy-paste) gets from a page: tags removed, entities decoded."""
    raw = page.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    return _norm(htmllib.unescape(re.sub(r"<[^>]+>", "", raw)))


def search_index(html_dir: Path) -> dict:
    text = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


_STEMMER = None


def _stem(word: str) -> str:
    """Sphinx's own English stemmer, so we look words up the way the search index stores them."""
    global _STEMMER
    if _STEMMER is None:
        from sphinx.search.en import SearchEnglish

        _STEMMER = SearchEnglish({})
    return _STEMMER.stem(word.lower())


def index_words(text: str) -> list[str]:
    """Words as Sphinx's indexer splits them (\\w+, so `snake_case` names stay one word)."""
    return [w.lower() for w in re.findall(r"\w+", text)]


def public_stems(texts: list[str]) -> set[str]:
    return {_stem(w) for t in texts for w in set(index_words(t))}


def find_leaks(
    html_dir: Path, needles: list[Needle], public: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """Where a needle appears in a page's text, or a word found only in secrets (stems not in
    ``public``, see `public_stems`) is in the search index."""
    leaks = []
    for page in html_pages(html_dir):
        text = page_text(page)
        for n in needles:
            if n.text in text:
                leaks.append(f"{n.kind} of {n.assignment} in {page.relative_to(html_dir)}: {n.text!r}")
    index_file = html_dir / "searchindex.js"
    if index_file.exists():
        index = search_index(html_dir)
        for doc in index.get("docnames", []):
            if doc.startswith("exercises/"):
                leaks.append(f"the search index lists the source notebook {doc}")
        # an incremental build can keep a term with no document left: it finds nothing, skip it
        terms = {t for t, docs in index.get("terms", {}).items() if docs != []}
        terms |= {t for t, docs in index.get("titleterms", {}).items() if docs != []}
        for n in needles:
            for word in index_words(n.text):
                if len(word) < 8 or word.isdigit():
                    continue
                stem = _stem(word)
                if stem not in public and stem in terms:
                    leaks.append(f"{n.kind} word {word!r} of {n.assignment} is in searchindex.js")
    return sorted(set(leaks))


def main(argv: list[str] | None = None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    html_dir = Path(argv[0] if argv else "_build/html")
    problems = images_without_alt(html_dir) + heading_problems(html_dir)
    for p in problems:
        print(p)
    print(f"{len(html_pages(html_dir))} pages, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
