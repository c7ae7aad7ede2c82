"""The table of contents actually built: `_toc.yml` pruned to the pages that exist.

`_toc.yml` describes the whole book, including modules other authors have not written yet.
sphinx-external-toc turns a missing file or an empty glob into a warning, and the book is built
with warnings as errors, so the build uses a pruned copy and says what it left out."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..files import write_if_changed

SOURCE_SUFFIXES = (".md", ".ipynb")


@dataclass
class PrunedToc:
    toc: dict[str, Any]
    left_out: list[str] = field(default_factory=list)


def content_docnames(root: Path) -> set[str]:
    """Every page-like file under the book root (docname = path without suffix), as Sphinx would
    see it: hidden folders, build output and checkpoints skipped."""
    names: set[str] = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [
            d for d in dirs if not d.startswith(".") and d not in ("_build", "__pycache__", "node_modules")
        ]
        for f in files:
            if f.endswith(SOURCE_SUFFIXES):
                rel = (Path(folder) / f).relative_to(root)
                names.add(rel.with_suffix("").as_posix())
    return names


def _exists(root: Path, docname: str) -> bool:
    return any((root / f"{docname}{s}").is_file() for s in SOURCE_SUFFIXES)


def glob_matches(
    pattern: str, docnames: set[str], exclude: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """Docnames matched by a sphinx-external-toc glob (fnmatch semantics, like Sphinx)."""
    return sorted(d for d in docnames if fnmatch.fnmatchcase(d, pattern) and d not in exclude)


def _prune_items(
    items: list[dict], root: Path, docnames: set[str], parent: str | None, out: PrunedToc
) -> list[dict]:
    kept = []
    for item in items:
        item = dict(item)
        if "file" in item:
            if not _exists(root, item["file"]):
                orphans = [
                    d
                    for sub in item.get("sections", [])
                    if "glob" in sub
                    for d in glob_matches(sub["glob"], docnames)
                ]
                if orphans:
                    out.left_out.append(
                        f"{item['file']} is missing, so its pages are left out too ({', '.join(orphans)}): "
                        f"write {item['file']}.md"
                    )
                else:
                    out.left_out.append(f"{item['file']} (not written yet)")
                continue
            if "sections" in item:
                item["sections"] = _prune_items(item["sections"], root, docnames, item["file"], out)
                if not item["sections"]:
                    del item["sections"]
        elif "glob" in item:
            exclude = {parent} if parent else set()
            if not glob_matches(item["glob"], docnames, exclude):
                out.left_out.append(f"glob {item['glob']} (matches nothing yet)")
                continue
        kept.append(item)
    return kept


def prune(toc: dict[str, Any], root: Path) -> PrunedToc:
    """A copy of ``toc`` without the entries whose files do not exist (yet)."""
    out = PrunedToc(toc={})
    if not _exists(root, toc["root"]):
        raise FileNotFoundError(f"The book's root page {toc['root']} is missing under {root}.")
    docnames = content_docnames(root)
    pruned = {k: v for k, v in toc.items() if k not in ("parts", "chapters", "sections")}
    if "parts" in toc:
        parts = []
        for part in toc["parts"]:
            part = dict(part)
            part["chapters"] = _prune_items(part.get("chapters", []), root, docnames, None, out)
            if part["chapters"]:
                parts.append(part)
            else:
                out.left_out.append(f"part {part.get('caption', '?')!r} (empty)")
        pruned["parts"] = parts
    for key in ("chapters", "sections"):
        if key in toc:
            pruned[key] = _prune_items(toc[key], root, docnames, toc["root"], out)
    out.toc = pruned
    return out


def toc_docnames(toc: dict[str, Any], root: Path) -> list[str]:
    """Every docname a (pruned) toc builds, globs expanded, in reading order."""
    docnames = content_docnames(root)
    seen: list[str] = [toc["root"]]

    def walk(items: list[dict], parent: str | None) -> None:
        for item in items:
            if "file" in item:
                seen.append(item["file"])
                walk(item.get("sections", []), item["file"])
            elif "glob" in item:
                exclude = set(seen) | ({parent} if parent else set())
                seen.extend(glob_matches(item["glob"], docnames, exclude))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []), None)
    walk(toc.get("chapters", []), toc["root"])
    return list(dict.fromkeys(seen))


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_pruned(root: Path, out_path: Path) -> PrunedToc:
    result = prune(load(root / "_toc.yml"), root)
    header = "# Generated by `smartseoul book build` from _toc.yml: edit _toc.yml, not this file.\n"
    write_if_changed(out_path, header + yaml.safe_dump(result.toc, sort_keys=False, allow_unicode=True))
    return result
