"""The facts register: every fact about Seoul that the course states, and where it comes from.

Officials repeat what this course says about Seoul, so each such statement must lead to a
source a reader can open. `book/facts.yaml` holds the facts (ID, statement, value, date, status
and sources) and `book/references.bib` the full references. `book/sources.md` is generated from
both (`smartseoul book sources`), with one heading per fact whose text is the fact's ID, so a
link such as `[owl-bus-launch](../../book/sources.md#owl-bus-launch)` opens the fact in the book
and in JupyterLab. `smartseoul.citations` checks that every such link resolves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import paths
from .findings import Finding

FACTS_FILE = Path("book") / "facts.yaml"
BIB_FILE = Path("book") / "references.bib"
SOURCES_PAGE = Path("book") / "sources.md"

#: what each status means, shown on the sources page
STATUSES = {
    "confirmed": "a named source states the value",
    "approximate": "the value is rounded, or sources differ; the note says how",
    "estimate": "the course derived the value from a source; the note says how",
}
FACT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?(?:/\d{4}(?:-\d{2}(?:-\d{2})?)?)?")
REQUIRED = ("id", "topic", "statement", "value", "date", "status", "sources")


@dataclass(frozen=True)
class SourceRef:
    ref: str  #: a key in references.bib
    where: str = ""  #: the page, table or section of the source where the fact is


@dataclass(frozen=True)
class Fact:
    id: str
    topic: str
    statement: str
    value: str
    date: str
    status: str
    sources: tuple[SourceRef, ...]
    note: str = ""


@dataclass(frozen=True)
class Reference:
    """One entry of references.bib, reduced to what a reader needs to find the source."""

    key: str
    author: str
    title: str
    year: str
    url: str = ""
    date: str = ""
    note: str = ""

    def citation(self) -> str:
        """Publisher (year). *Title*. Date. URL. Note. (plain Markdown, readable anywhere)"""
        parts = [f"{self.author} ({self.year or 'n.d.'}).", f"*{self.title}*."]
        if self.date:
            parts.append(f"{self.date}.")
        if self.url:
            parts.append(f"[{self.url}]({self.url})")
        if self.note:
            parts.append(f"{self.note[0].upper()}{self.note[1:].rstrip('.')}.")
        return " ".join(parts)


@dataclass
class Register:
    facts: list[Fact] = field(default_factory=list)
    references: dict[str, Reference] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def ids(self) -> set[str]:
        return {f.id for f in self.facts}


def _plain(text: str) -> str:
    """BibTeX braces and line breaks out of a field value."""
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _person(person: Any) -> str:
    """ "Kim, Jihoo", or an organisation written in braces ("{Seoul Metropolitan Government}")."""
    last = _plain(" ".join(person.prelast_names + person.last_names))
    first = _plain(" ".join(person.first_names + person.middle_names))
    return f"{last}, {first}" if first else last


def load_references(path: Path) -> dict[str, Reference]:
    """references.bib, parsed by pybtex (the parser sphinxcontrib-bibtex uses for the book)."""
    from pybtex.database import parse_file

    data = parse_file(str(path), bib_format="bibtex")
    out: dict[str, Reference] = {}
    for key, entry in data.entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        author = "; ".join(_person(p) for p in people).replace("; others", " et al.")
        fields = entry.fields
        out[key] = Reference(
            key=key,
            author=author or _plain(fields.get("organization", fields.get("publisher", ""))),
            title=_plain(fields.get("title", "")),
            year=_plain(fields.get("year", "")),
            url=fields.get("url", "").strip()
            or (f"https://doi.org/{fields['doi'].strip()}" if fields.get("doi") else ""),
            date=_plain(fields.get("date", "")),
            note=_plain(fields.get("note", "")),
        )
    return out


def _fact_findings(
    raw: Any, index: int, references: dict[str, Reference]
) -> tuple[Fact | None, list[Finding]]:
    """One entry of facts.yaml as a Fact, or the findings that say what to fix in it."""
    where = f"{FACTS_FILE} entry {index + 1}"
    if not isinstance(raw, dict):
        return None, [
            Finding("fact-shape", where, "is not a mapping.", "Write it as `- id: ...` with its keys.")
        ]
    if isinstance(raw.get("id"), str):
        where = f"{FACTS_FILE} `{raw['id']}`"
    found = [
        Finding("fact-field", where, f"has no `{key}`.", f"Add `{key}:` (see the header of {FACTS_FILE}).")
        for key in REQUIRED
        if raw.get(key) in (None, "", [])
    ]
    unknown = sorted(set(raw) - {*REQUIRED, "note"})
    if unknown:
        found.append(
            Finding("fact-field", where, f"has unknown keys {unknown}.", "Use only the keys in the header.")
        )
    if found:
        return None, found
    fact_id, date, status = str(raw["id"]), str(raw["date"]), str(raw["status"])
    if not FACT_ID.fullmatch(fact_id):
        found.append(
            Finding("fact-id", where, f"ID {fact_id!r} is not lowercase-kebab.", "Use a-z, 0-9 and '-' only.")
        )
    if not DATE.fullmatch(date):
        found.append(
            Finding("fact-date", where, f"date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD.", "Fix it.")
        )
    if status not in STATUSES:
        found.append(
            Finding("fact-status", where, f"status {status!r} is unknown.", f"Use one of {sorted(STATUSES)}.")
        )
    sources: list[SourceRef] = []
    for src in raw["sources"] if isinstance(raw["sources"], list) else [raw["sources"]]:
        ref = src.get("ref") if isinstance(src, dict) else src
        if not isinstance(ref, str) or ref not in references:
            found.append(
                Finding(
                    "fact-source",
                    where,
                    f"cites {ref!r}, which is not a key of {BIB_FILE}.",
                    f"Add the reference to {BIB_FILE}, or use an existing key.",
                )
            )
            continue
        sources.append(SourceRef(ref, str(src.get("where", "")) if isinstance(src, dict) else ""))
    if found:
        return None, found
    fact = Fact(
        id=fact_id,
        topic=str(raw["topic"]),
        statement=" ".join(str(raw["statement"]).split()),
        value=str(raw["value"]),
        date=date,
        status=status,
        sources=tuple(sources),
        note=" ".join(str(raw.get("note") or "").split()),
    )
    return fact, []


def load(root: Path | None = None) -> Register:
    """facts.yaml and references.bib, checked: every problem is a finding, nothing is dropped silently."""
    root = root or paths.course_root()
    register = Register()
    bib, facts_file = root / BIB_FILE, root / FACTS_FILE
    try:
        register.references = load_references(bib)
    except Exception as exc:  # pybtex raises its own errors for broken BibTeX
        register.findings.append(
            Finding("bib-unreadable", str(BIB_FILE), f"cannot be read ({exc}).", "Fix the entry it names.")
        )
    for key, ref in register.references.items():
        if not (ref.title and ref.author):  # a web page without a date is cited as (n.d.)
            register.findings.append(
                Finding("bib-incomplete", f"{BIB_FILE} `{key}`", "lacks an author or a title.", "Add them.")
            )
        if not (ref.url or ref.note):
            register.findings.append(
                Finding(
                    "bib-incomplete",
                    f"{BIB_FILE} `{key}`",
                    "has neither a URL nor a note saying where to find it.",
                    "Add `url` or `note`.",
                )
            )
    try:
        raw = yaml.safe_load(facts_file.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        register.findings.append(
            Finding("facts-unreadable", str(FACTS_FILE), f"cannot be read ({exc}).", "Fix the YAML.")
        )
        return register
    if not isinstance(raw, list):
        register.findings.append(
            Finding(
                "facts-unreadable",
                str(FACTS_FILE),
                "is not a list of facts.",
                "Start each fact with `- id:`.",
            )
        )
        return register
    seen: set[str] = set()
    for index, item in enumerate(raw):
        fact, problems = _fact_findings(item, index, register.references)
        register.findings.extend(problems)
        if fact is None:
            continue
        if fact.id in seen:
            register.findings.append(
                Finding(
                    "fact-duplicate",
                    f"{FACTS_FILE} `{fact.id}`",
                    "is listed twice.",
                    "Keep one entry per ID.",
                )
            )
            continue
        seen.add(fact.id)
        register.facts.append(fact)
    return register


def sources_page(register: Register) -> str:
    """book/sources.md: the facts by topic, each under a heading that is its ID, with full references."""
    from .render import render

    topics: dict[str, list[Fact]] = {}
    for fact in register.facts:
        topics.setdefault(fact.topic, []).append(fact)
    return render(
        "sources_page.md.j2",
        topics=topics,
        example=register.facts[0].id if register.facts else "",
        references=register.references,
        statuses=STATUSES,
        facts_file=FACTS_FILE.as_posix(),
        bib_file=BIB_FILE.as_posix(),
    )
