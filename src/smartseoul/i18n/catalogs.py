"""PO and POT files: which messages exist, which are translated, which went stale.

A *catalogue* is one POT file of the English (``_build/gettext/<name>.pot``) and, per language,
its PO file (``locales/<lang>/LC_MESSAGES/<name>.po``). Book pages have one catalogue each, named by
their docname (``book/intro``, ``modules/00-orientation/00a-jupyter-and-python``); the Python
code's messages are the catalogue ``smartseoul``.

Coverage is counted against the English of now (the POT files just extracted), not against what
a PO file happens to hold: a paragraph added to the English is untranslated even before anyone
runs ``smartseoul i18n update``, and a missing PO file is a catalogue with nothing translated."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from .languages import Language, Table

POT_DIR = Path("_build") / "gettext"
LOCALES = Path("locales")


def pot_dir(root: Path | None = None) -> Path:
    return (root or paths.course_root()) / POT_DIR


def locales_dir(root: Path | None = None) -> Path:
    return (root or paths.course_root()) / LOCALES


def po_path(root: Path, language: str, catalog: str) -> Path:
    return locales_dir(root) / language / "LC_MESSAGES" / f"{catalog}.po"


def read(path: Path):
    """A babel Catalog from a PO or POT file (parsed once while its content is unchanged: treat
    it as read-only, or copy it)."""
    data = path.read_bytes()
    return _parse(hashlib.sha1(data).hexdigest(), data)


@functools.lru_cache(maxsize=512)
def _parse(_digest: str, data: bytes):
    import io

    from babel.messages.pofile import read_po

    return read_po(io.BytesIO(data), charset="utf-8")


def _unquote(parts: list[str]) -> str:
    import ast

    return "".join(ast.literal_eval(part) for part in parts)


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def previous_ids(path: Path) -> dict[str, str]:
    """msgid -> the English it was translated from (the ``#| msgid`` of a fuzzy entry), which
    Babel writes but does not read back.

    Babel writes that line as a comment wrapped at the file's width, so one quoted string can run
    over several ``#|`` lines: the lines are joined with the space the wrapping took out."""
    out: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        previous: list[str] = []
        msgid: list[str] = []
        in_msgid = False
        for line in block.splitlines():
            if line.startswith("#| msgid "):
                previous = [line[len("#| msgid ") :]]
            elif line.startswith("#| ") and previous:
                previous.append(line[len("#| ") :])
            elif line.startswith("msgid "):
                in_msgid = True
                msgid.append(line[len("msgid ") :])
            elif line.startswith('"') and in_msgid:
                msgid.append(line)
            else:
                in_msgid = False
        if previous and msgid:
            out[_unquote(msgid)] = _unquote(_QUOTED.findall(" ".join(previous)))
    return out


def write(path: Path, catalog, width: int = 100) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=width, include_previous=True, sort_output=False)


def templates(root: Path | None = None) -> dict[str, Path]:
    """Every POT file of the last extraction, by catalogue name."""
    folder = pot_dir(root)
    return {p.relative_to(folder).with_suffix("").as_posix(): p for p in sorted(folder.rglob("*.pot"))}


# --------------------------------------------------------------------------- what needs translating

_STRIP = [
    re.compile(r"\{[\w:.-]+\}`[^`]*`"),  # MyST roles: {doc}`setup`
    re.compile(r"`+[^`]*`+"),  # inline code
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"<https?://[^>]*>|https?://\S+"),  # URLs
    re.compile(r"\$\$.*?\$\$|\$[^$]*\$"),  # math
    re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+"),  # Hangul
]


def needs_translation(msgid: str) -> bool:
    """Whether a message has words to translate. One of only code, numbers, a link target, a URL,
    math or Korean (a table cell `gu_code`, '463,680', '자치구') is shown as it is."""
    text = msgid
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    return re.search(r"[^\W\d_]{2,}", text) is not None


# --------------------------------------------------------------------------- selecting messages


def _locations(message) -> set[str]:
    return {str(loc[0]) for loc in message.locations}


def select(selector: str, catalog: str, message) -> bool:
    """Whether a message of `catalog` belongs to a part's selector (see languages.yaml: parts)."""
    name, _sep, source = selector.partition(":")
    if not fnmatch.fnmatchcase(catalog, name):
        return False
    if not source:
        return True
    return any(
        loc == source or loc.endswith("/" + source) or fnmatch.fnmatchcase(loc, source)
        for loc in _locations(message)
    )


def in_part(table: Table, part: str, catalog: str, message) -> bool:
    return any(select(s, catalog, message) for s in table.parts[part])


# --------------------------------------------------------------------------- coverage


@dataclass
class Count:
    total: int = 0  #: messages that need a translation
    translated: int = 0
    fuzzy: int = 0  #: translated once, but the English has changed since (stale)
    untranslated: int = 0

    @property
    def coverage(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def add(self, other: Count) -> None:
        self.total += other.total
        self.translated += other.translated
        self.fuzzy += other.fuzzy
        self.untranslated += other.untranslated


@dataclass
class Entry:
    """One English message and its state in one language."""

    catalog: str
    msgid: str
    msgstr: str
    state: str  #: translated, fuzzy or untranslated
    message: object = field(repr=False, default=None)  #: the POT message (locations, flags)
    previous: str = ""  #: the English it was translated from, for a fuzzy entry


def entries(
    root: Path,
    table: Table,
    language: str,
    catalogs: Iterable[str] | None = None,
    pots: dict[str, Path] | None = None,
) -> Iterator[Entry]:
    """Every message of the English that needs translating, with its state in `language`
    (`pots`: the POT files by catalogue, default those of the last extraction)."""
    pots = templates(root) if pots is None else pots
    for name in catalogs if catalogs is not None else pots:
        if name not in pots or table.is_english_only(name):
            continue
        pot = read(pots[name])
        po_file = po_path(root, language, name)
        po = {m.id: m for m in read(po_file) if m.id} if po_file.exists() else {}
        was = previous_ids(po_file) if any(m.fuzzy for m in po.values()) else {}
        for message in pot:
            if not message.id or not needs_translation(str(message.id)):
                continue
            found = po.get(message.id)
            if found is not None and found.string and not found.fuzzy:
                state, text = "translated", str(found.string)
            elif found is not None and found.fuzzy:
                state, text = "fuzzy", str(found.string)
            else:
                state, text = "untranslated", ""
            yield Entry(name, str(message.id), text, state, message, was.get(str(message.id), ""))


def count(items: Iterable[Entry]) -> Count:
    c = Count()
    for e in items:
        c.total += 1
        setattr(c, e.state, getattr(c, e.state) + 1)
    return c


def part_entries(
    root: Path, table: Table, language: str, parts: Iterable[str] | str, pots: dict[str, Path] | None = None
) -> list[Entry]:
    """The entries of some parts ("all" for every catalogue in scope)."""
    everything = list(entries(root, table, language, pots=pots))
    if parts == "all":
        return everything
    wanted = list(parts)
    return [e for e in everything if any(in_part(table, p, e.catalog, e.message) for p in wanted)]


@dataclass
class Stats:
    language: Language
    all: Count
    parts: dict[str, Count]
    gate_parts: Count  #: what the language's gate covers (everything for wave 1)


def stats(root: Path, table: Table, language: Language, pots: dict[str, Path] | None = None) -> Stats:
    everything = list(entries(root, table, language.code, pots=pots))
    parts = {
        part: count(e for e in everything if in_part(table, part, e.catalog, e.message))
        for part in table.parts
    }
    gate = table.gate_for(language)
    if gate.parts == "all":
        covered = count(everything)
    else:
        covered = count(
            e for e in everything if any(in_part(table, p, e.catalog, e.message) for p in gate.parts)
        )
    return Stats(language, count(everything), parts, covered)


# --------------------------------------------------------------------------- the stale report


@dataclass
class Stale:
    language: str
    catalog: str
    kind: str  #: changed (fuzzy: English edited), new (no entry yet), obsolete (English removed)
    msgid: str
    previous: str = ""
    msgstr: str = ""


def stale(root: Path, table: Table, language: str, pots: dict[str, Path] | None = None) -> list[Stale]:
    """Translations the English has left behind, in the PO files that exist.

    - *changed*: the English of a translated message was edited; ``smartseoul i18n update`` kept
      the old translation as fuzzy, with the English it was made from (``#| msgid``);
    - *new*: a message of the English that the PO file does not hold yet (run update);
    - *obsolete*: a translated message whose English is gone (kept as ``#~`` for reuse)."""
    out: list[Stale] = []
    pots = templates(root) if pots is None else pots
    folder = locales_dir(root) / language / "LC_MESSAGES"
    for po_file in sorted(folder.rglob("*.po")) if folder.is_dir() else []:
        name = po_file.relative_to(folder).with_suffix("").as_posix()
        po = read(po_file)
        have = {m.id for m in po if m.id}
        was = previous_ids(po_file)
        for m in po:
            if m.id and m.fuzzy:
                out.append(Stale(language, name, "changed", str(m.id), was.get(str(m.id), ""), str(m.string)))
        if name in pots:
            for m in read(pots[name]):
                if m.id and m.id not in have and needs_translation(str(m.id)):
                    out.append(Stale(language, name, "new", str(m.id)))
        for m in po.obsolete.values():
            if m.string:
                out.append(Stale(language, name, "obsolete", str(m.id), msgstr=str(m.string)))
    return out


# --------------------------------------------------------------------------- the gates


def _failures(label: str, items: list[Entry], min_coverage: float, max_fuzzy: int) -> list[str]:
    c = count(items)
    out = []
    if c.coverage < min_coverage:
        out.append(
            f"{label}: {c.coverage:.1f} % translated ({c.translated} of {c.total}), the gate is {min_coverage:g} %"
        )
    if c.fuzzy > max_fuzzy:
        out.append(f"{label}: {c.fuzzy} fuzzy message(s) (the English changed since they were translated)")
    missing = [e for e in items if e.state != "translated"]
    for e in missing[:5]:
        was = f" (was: {e.previous[:80]!r})" if e.previous else ""
        out.append(f"    {e.state}: {e.catalog}: {e.msgid[:100]!r}{was}")
    if len(missing) > 5:
        out.append(f"    ... and {len(missing) - 5} more (smartseoul i18n stale --lang ...)")
    return out


def gate_failures(
    root: Path, table: Table, language: Language, pots: dict[str, Path] | None = None
) -> list[str]:
    """Why a language does not meet its wave's gate (empty when it does)."""
    gate = table.gate_for(language)
    items = part_entries(root, table, language.code, gate.parts, pots=pots)
    scope = "everything" if gate.parts == "all" else "the wave-2 parts"
    return _failures(f"{language.code}, {scope}", items, gate.min_coverage, gate.max_fuzzy)


def done_failures(
    root: Path, table: Table, language: Language, pots: dict[str, Path] | None = None
) -> list[str]:
    """Why a part the table says is done is not complete (100 %, nothing fuzzy) in a language."""
    everything = list(entries(root, table, language.code, pots=pots))
    out = []
    for part in language.done:
        items = [e for e in everything if in_part(table, part, e.catalog, e.message)]
        if not items:
            out.append(f"{language.code}: the part {part!r} has no message at all: is its selector right?")
            continue
        out += _failures(f"{language.code}, part {part!r}", items, 100.0, 0)
    return out
