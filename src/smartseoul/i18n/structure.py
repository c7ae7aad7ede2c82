"""Does a translation keep the structure of its English? The words change; these must not:

- inline code (`gu_code`, `# YOUR CODE HERE`): the same spans, character for character;
- links: the same targets (the link text is translated);
- MyST roles ({doc}`setup`, {cite:p}`key`): the same roles with the same targets; footnote
  references ([^area]) and substitutions ({{ name }});
- math ($...$, $$...$$);
- format placeholders of the Python messages ({name}, {rows:,}, %s, %(name)s);
- numbers that name things (module 0, 25 districts, 2019, 605.2): every number of the English is
  in the translation (written with the language's separators if it likes: 2,000 = 2 000 = 2.000);
- Korean names (자치구, 따릉이): kept as they are.

`problems()` checks one message; `check()` every translated message of the PO files."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .languages import PYTHON_CATALOG

_CODE = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_ROLE = re.compile(r"(?<!`)\{([\w:.-]+)\}(`+)(.+?)\2")
_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_URL = re.compile(r"(?<![(<\w])https?://[^\s)>\]]+")
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")
_FOOTNOTE = re.compile(r"\[\^([\w-]+)\]")
_SUBSTITUTION = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
_DIRECTIVE = re.compile(r"(?:`{3,}|:{3,})\{([\w:-]+)\}")
_BRACE = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)(![rsa])?(:[^{}]*)?\}(?!\})")
_PERCENT = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
#: a number, with , . space, no-break space or thin space between its digit groups
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f \u066b\u066c]\d+)*")


def _digits(text: str) -> str:
    """Digits of any script as 0-9 (Arabic-Indic ٢٠١٩ is 2019)."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _code_spans(text: str) -> tuple[list[str], str]:
    """The inline code spans (roles aside), and the text without them."""
    without_roles = _ROLE.sub(" ", text)
    spans = [m.group(2).strip() for m in _CODE.finditer(without_roles)]
    return spans, _CODE.sub(" ", without_roles)


def _role_targets(text: str) -> list[str]:
    out = []
    for role, _ticks, content in _ROLE.findall(text):
        target = re.search(r"<([^>]+)>\s*$", content)
        out.append(f"{{{role}}}{target.group(1) if target else content}")
    return out


def _numbers(text: str) -> list[str]:
    """The numbers of a text, as digit strings (separators and script aside)."""
    return [re.sub(r"\D", "", n) for n in _NUMBER.findall(_digits(text))]


def _prose(text: str) -> str:
    """The text without code, roles, link targets, URLs and math (where numbers are not prose)."""
    _spans, text = _code_spans(text)
    for pattern in (_LINK, _AUTOLINK, _URL, _MATH, _FOOTNOTE, _SUBSTITUTION):
        text = pattern.sub(" ", text)
    return text


def _missing(what: str, english: list[str], translated: list[str], exact: bool = True) -> list[str]:
    want, have = Counter(english), Counter(translated)
    lost = want - have
    added = have - want if exact else Counter()
    out = []
    if lost:
        out.append(f"{what} missing or changed: {', '.join(sorted(lost.elements()))}")
    if added:
        out.append(f"{what} not in the English: {', '.join(sorted(added.elements()))}")
    return out


def problems(msgid: str, msgstr: str, python: bool = False) -> list[str]:
    """What a translation breaks of its English's structure (empty when it keeps all of it)."""
    if not msgstr:
        return []
    out: list[str] = []
    out += _missing("inline code", _code_spans(msgid)[0], _code_spans(msgstr)[0])
    out += _missing("role", _role_targets(msgid), _role_targets(msgstr))
    out += _missing("link target", _LINK.findall(msgid), _LINK.findall(msgstr))
    out += _missing(
        "URL",
        _AUTOLINK.findall(msgid) + _URL.findall(msgid),
        _AUTOLINK.findall(msgstr) + _URL.findall(msgstr),
    )
    out += _missing(
        "math", [a or b for a, b in _MATH.findall(msgid)], [a or b for a, b in _MATH.findall(msgstr)]
    )
    out += _missing("footnote", _FOOTNOTE.findall(msgid), _FOOTNOTE.findall(msgstr))
    out += _missing("substitution", _SUBSTITUTION.findall(msgid), _SUBSTITUTION.findall(msgstr))
    out += _missing("directive", _DIRECTIVE.findall(msgid), _DIRECTIVE.findall(msgstr))
    if python:
        out += _missing(
            "placeholder",
            ["".join(p) for p in _BRACE.findall(msgid)],
            ["".join(p) for p in _BRACE.findall(msgstr)],
        )
        out += _missing("placeholder", _PERCENT.findall(msgid), _PERCENT.findall(msgstr))
    out += _missing("number", _numbers(_prose(msgid)), _numbers(_prose(msgstr)), exact=False)
    out += _missing("Korean", _HANGUL.findall(_prose(msgid)), _HANGUL.findall(_prose(msgstr)), exact=False)
    return out


@dataclass(frozen=True)
class Broken:
    po_file: Path
    msgid: str
    msgstr: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.po_file}: {'; '.join(self.problems)}\n    English:     {self.msgid[:200]}\n"
            f"    translation: {self.msgstr[:200]}"
        )


def check_file(po_file: Path) -> list[Broken]:
    """Every translated (or fuzzy) message of one PO file that breaks its English's structure."""
    from .catalogs import read

    python = po_file.stem == PYTHON_CATALOG
    out = []
    for m in read(po_file):
        if not m.id or not m.string:
            continue
        found = problems(str(m.id), str(m.string), python=python)
        if found:
            out.append(Broken(po_file, str(m.id), str(m.string), tuple(found)))
    return out


def check(locales: Path, languages: list[str] | None = None) -> list[Broken]:
    out = []
    for folder in sorted(p for p in locales.iterdir() if p.is_dir()) if locales.is_dir() else []:
        if languages is not None and folder.name not in languages:
            continue
        for po_file in sorted(folder.rglob("*.po")):
            out += check_file(po_file)
    return out
