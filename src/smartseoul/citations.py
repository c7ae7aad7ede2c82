"""Citations a reader can follow: every source the course cites is inside the repository or online.

Trainees, instructors and readers of the book must be able to open every source the course
gives. This check reads what they read (module notebooks and pages, book pages, exercise
notebooks, dataset READMEs and `datasets/datapackage.json`) and reports:

- a fact link (`.../book/sources.md#<id>`) whose ID is not in `book/facts.yaml`;
- a `{cite}` key that is not in `book/references.bib`;
- a link to a file that does not exist, or that lies outside the repository;
- a citation to something no reader has: an absolute path on someone's machine, or a "§"
  section of a document that is not named;
- a Seoul-specific figure with no citation in its paragraph (a heuristic; reviewed exceptions
  are listed in `book/uncited-allowlist.yaml` with a reason each);
- the generated `book/sources.md` being out of date with `book/facts.yaml`.

`smartseoul book citations` prints the findings; the tests run the same function.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from . import facts, paths
from .findings import Finding
from .prose import paragraphs

ALLOWLIST = Path("book") / "uncited-allowlist.yaml"

#: `[text](target "title")`; the target has no spaces (the course writes no such links)
LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<target><[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`(?P<keys>[^`]+)`")
#: a fact named in code or in a data file: book/sources.md#<id>
FACT_MENTION = re.compile(r"book/sources\.md#(?P<id>[A-Za-z0-9_-]+)")
#: a path on one person's machine
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])(?:/(?:work|home|root|tmp|Users|mnt)/[\w.-]+|[A-Z]:\\\w|file://)")
SECTION_SIGN = re.compile(r"§\s*\d")
#: words that make a paragraph about Seoul itself, not about a dataset or a method
SEOUL = re.compile(
    r"\bSeoul(?:'s)?\b|서울|\bOwl Bus|올빼미|Ttareungyi|따릉이|\bS-DoT\b|\bTOPIS\b|\bDasan\b", re.IGNORECASE
)
#: a figure: a year, a number of two or more digits, a decimal, or a percentage
FIGURE = re.compile(
    r"(?<![\w.#:/-])(?:1[89]\d\d|20\d\d|\d{1,3}(?:,\d{3})+|\d+\.\d+|\d{2,}|\d+\s?%)(?![\w:-])(?!\s*(?:minutes|min\b|hours|h\b|points|sentences|words))"
)
#: where a sentence or a list item or table row ends
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n\s*(?:[-*|]|\d+\.)\s")
#: a link to a web page: a source the reader can open
WEB_LINK = re.compile(r"\]\(https?://|<https?://")
#: words that say a paragraph is about the course's synthetic data, not about Seoul
SYNTHETIC = re.compile(r"synthetic|this course's data|our data|the course's data", re.IGNORECASE)


@dataclass(frozen=True)
class Paragraph:
    where: str  #: file (and cell) for the reader of a finding
    text: str
    base: Path  #: the folder relative links start from


def _notebook_paragraphs(path: Path, rel: str) -> Iterator[tuple[str, str, str]]:
    """(kind, where, text) for each cell of a notebook."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # a broken notebook is reported, and the others are still checked
        yield "error", rel, str(exc)
        return
    for index, cell in enumerate(nb.cells):
        yield cell.cell_type, f"{rel} cell {index + 1}", cell.source


def trainee_files(root: Path) -> list[Path]:
    """What trainees, instructors and readers read, in the repository."""
    found: list[Path] = []
    for pattern in (
        "modules/**/*.ipynb",
        "modules/**/*.md",
        "exercises/*/*.ipynb",
        "book/**/*.md",
        "datasets/**/README.md",
    ):
        found += root.glob(pattern)
    found += [root / "README.md"]
    skip = {".ipynb_checkpoints", "_generated", "_build"}
    return sorted({p for p in found if p.is_file() and not skip & set(p.parts)})


@dataclass
class Checker:
    root: Path
    register: facts.Register
    allow: list[dict]

    def check_link(self, target: str, base: Path, where: str) -> Iterator[Finding]:
        target = target.strip("<>")
        if re.match(r"[a-z][a-z0-9+.-]*:", target) and not target.startswith("file:"):
            return  # a web address (https:, mailto:)
        if target.startswith("file:"):
            yield Finding("outside-repo", where, f"links to {target}, a file on one machine.", _FIX_PATH)
            return
        path_part, _, anchor = target.partition("#")
        if not path_part:
            return  # an anchor on the same page
        if path_part.startswith("/"):
            yield Finding("outside-repo", where, f"links to the absolute path {path_part}.", _FIX_PATH)
            return
        resolved = (base / path_part).resolve()
        try:
            resolved.relative_to(self.root.resolve())
        except ValueError:
            yield Finding(
                "outside-repo", where, f"links to {path_part}, which is outside the repository.", _FIX_PATH
            )
            return
        if not resolved.exists() and not self._generated(resolved):
            yield Finding(
                "broken-link", where, f"links to {path_part}, which does not exist.", "Fix the path."
            )
            return
        if resolved == (self.root / facts.SOURCES_PAGE).resolve() and anchor:
            yield from self.check_fact(anchor, where)

    def _generated(self, path: Path) -> bool:
        """A page the book writes at build time (book/_generated/): it exists in a build, not in git.
        Sphinx reports a link to a page it did not generate."""
        return path.is_relative_to(self.root / "book" / "_generated")

    def check_fact(self, fact_id: str, where: str) -> Iterator[Finding]:
        if fact_id not in self.register.ids():
            yield Finding(
                "unknown-fact",
                where,
                f"cites the fact `{fact_id}`, which is not in {facts.FACTS_FILE}.",
                f"Add the fact to {facts.FACTS_FILE} (with its source), or cite an existing ID.",
            )

    def check_text(self, text: str, base: Path, where: str, prose: bool) -> Iterator[Finding]:
        for m in LINK.finditer(text):
            yield from self.check_link(m["target"], base, where)
        for m in CITE_ROLE.finditer(text):
            for key in (k.strip() for k in m["keys"].split(",")):
                if key not in self.register.references:
                    yield Finding(
                        "unknown-reference",
                        where,
                        f"cites `{key}`, which is not a key of {facts.BIB_FILE}.",
                        f"Add the reference to {facts.BIB_FILE}, or use an existing key.",
                    )
        for m in FACT_MENTION.finditer(LINK.sub("", text)):  # facts named outside a link
            yield from self.check_fact(m["id"], where)
        for m in ABSOLUTE_PATH.finditer(text):
            yield Finding("outside-repo", where, f"cites {m.group(0)!r}, a path on one machine.", _FIX_PATH)
        if SECTION_SIGN.search(text):
            yield Finding(
                "shorthand-citation",
                where,
                "cites a section (§) of a document it does not link.",
                "Link the fact instead: [fact-id](<path to>/book/sources.md#fact-id).",
            )
        if prose:
            for paragraph in paragraphs(text):
                yield from self.check_paragraph(paragraph, where)

    def check_paragraph(self, paragraph: str, where: str) -> Iterator[Finding]:
        # a figure and Seoul in one sentence: a statement about Seoul, not a method's parameter
        figure = None
        for sentence in SENTENCE.split(_without_links(paragraph)):
            figure = FIGURE.search(sentence) if SEOUL.search(sentence) else None
            if figure:
                break
        if figure is None:
            return
        if "sources.md#" in paragraph or CITE_ROLE.search(paragraph) or WEB_LINK.search(paragraph):
            return  # cited: a fact, a reference, or a web page the reader can open
        if SYNTHETIC.search(paragraph):
            return
        file = where.split(" cell ")[0]
        for entry in self.allow:
            if entry.get("file") == file and entry.get("contains", "\0") in paragraph:
                return
        first = " ".join(paragraph.split())[:90]
        yield Finding(
            "uncited-figure",
            where,
            f"states a figure ({figure.group(0)!r}) about Seoul with no source in its paragraph: {first!r}.",
            "Link the fact it states ([fact-id](<path to>/book/sources.md#fact-id)), say that the figure "
            f"comes from the synthetic data, or add a reviewed exception to {ALLOWLIST}.",
        )


_FIX_PATH = "Cite a file inside the repository (for a fact: book/sources.md#fact-id) or a web address."


def _without_links(text: str) -> str:
    """Prose without link targets and inline code, where numbers are not figures."""
    text = LINK.sub(lambda m: m["text"], text)
    return re.sub(r"`[^`]*`", "", text)


def load_allowlist(root: Path) -> tuple[list[dict], list[Finding]]:
    path = root / ALLOWLIST
    if not path.exists():
        return [], []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    good, bad = [], []
    for i, entry in enumerate(data):
        if isinstance(entry, dict) and entry.get("file") and entry.get("contains") and entry.get("reason"):
            good.append(entry)
        else:  # an exception nobody explained is not an exception
            bad.append(
                Finding(
                    "allowlist",
                    str(ALLOWLIST),
                    f"entry {i + 1} needs `file`, `contains` and `reason`.",
                    "Add them.",
                )
            )
    return good, bad


def check(root: Path | None = None) -> list[Finding]:
    """Every citation problem in what readers read, each with where it is and how to fix it."""
    root = (root or paths.course_root()).resolve()
    register = facts.load(root)
    allow, findings = load_allowlist(root)
    findings = register.findings + findings
    checker = Checker(root, register, allow)
    page = root / facts.SOURCES_PAGE
    if not register.findings and (
        not page.exists() or page.read_text(encoding="utf-8") != facts.sources_page(register)
    ):
        findings.append(
            Finding(
                "sources-page-stale",
                str(facts.SOURCES_PAGE),
                f"does not match {facts.FACTS_FILE}.",
                "Run: smartseoul book sources",
            )
        )
    for path in trainee_files(root):
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".ipynb":
            for kind, where, text in _notebook_paragraphs(path, rel):
                if kind == "error":
                    findings.append(
                        Finding("unreadable", where, f"cannot be read ({text}).", "Repair the notebook.")
                    )
                    continue
                findings += checker.check_text(text, path.parent, where, prose=kind == "markdown")
        else:
            # dataset READMEs describe synthetic files, generated from definitions whose sources
            # are checked in datapackage.json; the sources page is the citations themselves
            prose = path != root / facts.SOURCES_PAGE and path.parts[-3:-2] != ("datasets",)
            findings += checker.check_text(path.read_text(encoding="utf-8"), path.parent, rel, prose=prose)
    findings += _datapackage_findings(checker, root)
    return findings


def _datapackage_findings(checker: Checker, root: Path) -> list[Finding]:
    """Each resource's `sources`: a web address, or a path relative to datasets/ inside the repository."""
    package = root / "datasets" / "datapackage.json"
    if not package.exists():
        return []
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    found: list[Finding] = []
    entries = [("package", s) for s in descriptor.get("sources", [])]
    entries += [
        (r.get("name", "?"), s) for r in descriptor.get("resources", []) for s in r.get("sources", [])
    ]
    for name, source in entries:
        where = f"datasets/datapackage.json resource {name}"
        text = json.dumps(source, ensure_ascii=False)
        if source.get("path"):
            found += checker.check_link(source["path"], package.parent, where)
        found += checker.check_text(text, package.parent, where, prose=False)
    return found
