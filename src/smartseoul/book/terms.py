"""The glossary's terms in every course language, side by side, as one generated page.

The English glossary (book/glossary.md) gives each term in English and Korean. The other languages
come from the translations themselves: the term's ``msgstr`` in each language's PO file of the
glossary page, so the table is never a second copy to keep in line. A term not translated yet (or
whose translation is fuzzy) shows a dash."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HANGUL = re.compile(r"[\uac00-\ud7a3]")
GLOSSARY_DOC = "book/glossary"


@dataclass(frozen=True)
class Term:
    english: str
    korean: str


def glossary_terms(glossary: Path) -> list[Term]:
    """Each entry of the ``{glossary}`` block: its first line (English) and its Hangul line."""
    text = glossary.read_text(encoding="utf-8")
    block = re.search(r"^:::\{glossary\}\n(.*?)^:::", text, re.M | re.S)
    if block is None:
        return []
    terms = []
    for entry in re.split(r"\n\s*\n", block.group(1)):
        names = [line for line in entry.splitlines() if line.strip() and not line.startswith((" ", "\t"))]
        if names:
            korean = next((n for n in names[1:] if HANGUL.search(n)), "")
            terms.append(Term(names[0].strip(), korean.strip()))
    return terms


def translations(root: Path, code: str) -> dict[str, str]:
    """msgid -> msgstr of one language's glossary catalogue (fuzzy and empty entries left out)."""
    po = root / "locales" / code / "LC_MESSAGES" / f"{GLOSSARY_DOC}.po"
    if not po.is_file():
        return {}
    from ..i18n import catalogs

    return {
        str(m.id): str(m.string)
        for m in catalogs.read(po)
        if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|") if text else "—"


def page(root: Path) -> str:
    """The Markdown of the page: one row per term, one column per language."""
    from ..i18n.languages import load

    table = load(root)
    terms = glossary_terms(root / f"{GLOSSARY_DOC}.md")
    columns = [(lang.native, translations(root, lang.code)) for lang in table.languages]
    head = ["English", "한국어"] + [native for native, _found in columns]
    lines = [
        "# The terms in every course language",
        "",
        "Each term of the {doc}`glossary <../glossary>` in English, Korean and the languages the course is "
        "translated into. The translations come from the course's translation files, so this table "
        "changes when they do. A dash (—) marks a term that is not translated yet.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for term in terms:
        row = [term.english, term.korean] + [found.get(term.english, "") for _native, found in columns]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def write_terms_page(root: Path, target: Path) -> Path:
    from ..files import write_if_changed

    write_if_changed(target, page(root))
    return target
