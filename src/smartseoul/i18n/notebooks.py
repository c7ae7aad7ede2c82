"""Translated notebooks for JupyterLab, generated from the book's PO files.

The book's catalogue of a notebook (``locales/<lang>/LC_MESSAGES/modules/.../<name>.po``) holds
one message per paragraph, heading, list item, table cell, admonition title and footnote of its
markdown cells: exactly what Sphinx's gettext builder extracts (the MyST source of the block).
Here the same blocks are found in each markdown cell with MyST's own markdown parser, and each
block whose message has a translation is replaced by it, keeping its place in the cell (list
marker, indentation, heading level, table row). Code cells, outputs and metadata are copied
unchanged, so a translated notebook runs exactly as the English one.

Translated notebooks are built, not committed (locales/README.md says why): they go to
``_build/notebooks/<lang>/``, laid out like the course, with links to what a notebook reads next to
itself (a module's data folders, ``book/`` for the links to the sources page), so every relative
path still works. A message without a translation stays in English, as in the book."""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .catalogs import po_path, read

#: directives whose body is text (translated); any other directive is left as it is
TEXT_DIRECTIVES = {
    "admonition", "note", "tip", "hint", "important", "warning", "caution", "attention", "danger",
    "error", "seealso", "dropdown", "margin", "sidebar", "topic", "epigraph", "card",
}  # fmt: skip
#: directives whose argument is a title (translated)
TITLED_DIRECTIVES = {"admonition", "dropdown", "sidebar", "topic", "card"}

Lookup = Callable[[str], "str | None"]


@cache
def _parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = MdParserConfig(
        enable_extensions={"colon_fence", "deflist", "dollarmath", "linkify", "substitution", "tasklist"}
    )
    return create_md_parser(config, RendererHTML)


def msgid(content: str) -> str:
    """A block's message, as Sphinx makes it: its source on one line."""
    return content.replace("\n", " ").strip()


@dataclass
class Block:
    """One translatable piece of a markdown cell: lines [start, start+len(lines)) of the cell."""

    line: int
    content: str  #: the source of the block without its container's marks


def blocks(source: str) -> list[Block]:
    """Every translatable block of a markdown cell (in order), with the line it starts on."""
    return list(_blocks(source, 0))


def _blocks(source: str, offset: int):
    tokens = _parser().parse(source)
    lines = source.split("\n")
    for token in tokens:
        if token.type == "inline" and token.map is not None and token.content.strip():
            yield Block(offset + token.map[0], token.content)
        elif token.type in ("fence", "colon_fence") and token.map is not None:
            name, argument = _directive(token.info)
            if name is None:
                continue
            if argument and name in TITLED_DIRECTIVES:
                yield Block(offset + token.map[0], argument)
            if name in TEXT_DIRECTIVES:
                body, skipped = _directive_body(lines[token.map[0] + 1 : token.map[1]])
                yield from _blocks(body, offset + token.map[0] + 1 + skipped)


def _directive(info: str) -> tuple[str | None, str]:
    m = re.match(r"\s*\{([\w:-]+)\}\s*(.*)$", info)
    return (m.group(1), m.group(2).strip()) if m else (None, "")


def _directive_body(lines: list[str]) -> tuple[str, int]:
    """The body of a directive without its closing fence and its options; and how many lines of
    options were skipped before it."""
    if lines and re.match(r"^\s*(`{3,}|:{3,})\s*$", lines[-1]):
        lines = lines[:-1]
    skipped = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
        skipped = end + 1
    else:
        while skipped < len(lines) and re.match(r"^\s*:[\w-]+:", lines[skipped]):
            skipped += 1
    return "\n".join(lines[skipped:]), skipped


def translate_markdown(source: str, lookup: Lookup) -> tuple[str, int, int]:
    """(translated source, blocks translated, blocks found)."""
    lines = source.split("\n")
    cursor: dict[int, int] = {}  # where the next block on a line may start (table rows)
    drop: set[int] = set()
    found = done = 0
    for block in blocks(source):
        found += 1
        translated = lookup(msgid(block.content))
        if not translated:
            continue
        parts = block.content.split("\n")
        first = parts[0].strip()
        line = lines[block.line]
        at = line.find(first, cursor.get(block.line, 0)) if first else -1
        if at < 0 or any(block.line + i in drop for i in range(len(parts))):
            continue  # not where the parser said: leave the English rather than guess
        end = at + len(first)
        if len(parts) > 1:
            last_line = lines[block.line + len(parts) - 1]
            tail = last_line[last_line.find(parts[-1].strip()) + len(parts[-1].strip()) :]
            drop.update(range(block.line + 1, block.line + len(parts)))
        else:
            tail = line[end:]
        lines[block.line] = line[:at] + translated + tail
        cursor[block.line] = at + len(translated)
        done += 1
    out = [text for i, text in enumerate(lines) if i not in drop]
    return "\n".join(out), done, found


def catalog_lookup(root: Path, language: str, docname: str) -> Lookup:
    """The translations of one page's PO file (fuzzy and empty ones left out)."""
    po_file = po_path(root, language, docname)
    table: dict[str, str] = {}
    if po_file.exists():
        table = {str(m.id): str(m.string) for m in read(po_file) if m.id and m.string and not m.fuzzy}
    return table.get


@dataclass
class Written:
    source: Path
    path: Path
    translated: int
    found: int


def translate_notebook(nb: dict, lookup: Lookup, language: str) -> tuple[dict, int, int]:
    """A translated copy of a notebook (as JSON): markdown cells translated, the rest unchanged."""
    out = copy.deepcopy(nb)
    done = found = 0
    for cell in out.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        text, d, f = translate_markdown(source, lookup)
        done, found = done + d, found + f
        cell["source"] = text.splitlines(keepends=True) if isinstance(cell["source"], list) else text
    meta = out.setdefault("metadata", {})
    meta["smartseoul_translation"] = {"language": language, "translated_blocks": done, "blocks": found}
    return out, done, found


def module_notebooks(root: Path) -> list[Path]:
    return sorted((root / "modules").glob("*/*.ipynb"))


def _link(target: Path, link: Path) -> None:
    if link.is_symlink() or link.exists():
        if link.is_symlink() and Path(os.readlink(link)) == Path(os.path.relpath(target, link.parent)):
            return
        if link.is_symlink() or link.is_file():
            link.unlink()
        else:
            return
    link.symlink_to(os.path.relpath(target, link.parent), target_is_directory=target.is_dir())


def write_all(root: Path, language: str, out: Path | None = None) -> list[Written]:
    """Every module notebook in `language`, into `out` (default _build/notebooks/<language>/),
    laid out like the course; what the notebooks read next to themselves is linked, not copied."""
    out = out or root / "_build" / "notebooks" / language
    written = []
    for src in module_notebooks(root):
        rel = src.relative_to(root)
        docname = rel.with_suffix("").as_posix()
        nb = json.loads(src.read_text(encoding="utf-8"))
        translated, done, found = translate_notebook(nb, catalog_lookup(root, language, docname), language)
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(translated, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        for sibling in src.parent.iterdir():
            if sibling.suffix != ".ipynb" and not sibling.name.startswith("."):
                _link(sibling, target.parent / sibling.name)
        written.append(Written(src, target, done, found))
    if (root / "book").is_dir():
        _link(root / "book", out / "book")
    return written
