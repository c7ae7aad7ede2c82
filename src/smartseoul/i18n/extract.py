"""English -> POT files -> PO files.

1. The book (its pages and the notebooks' markdown): Sphinx's ``gettext`` builder, run with the
   book's own configuration (the route Jupyter Book 1 documents: ``jupyter-book build --builder
   custom --custom-builder gettext``), one POT file per page (``gettext_compact = False``), with
   execution off (outputs are made by code, and code is not translated).
2. The Python code's own messages: Babel reads the ``_()`` and ``N_()`` calls of every module that
   imports them from ``smartseoul.i18n.messages`` into ``smartseoul.pot``.
3. ``update``: sphinx-intl's catalogue update (Babel's merge with fuzzy matching) brings each PO
   file in line with its POT: a message whose English changed keeps its old translation marked
   fuzzy, with the English it was made from (``#| msgid``), which is what the stale report shows.

POT files are build output (``_build/gettext``, never committed); PO files are the translations
(``locales/<lang>/LC_MESSAGES``, committed)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from .. import paths
from . import catalogs, exercise_hints
from .languages import PYTHON_CATALOG, Table

#: modules whose messages are translated are the ones that import them from smartseoul.i18n.messages
_IMPORTS_MESSAGES_PKG = re.compile(r"^\s*from\s+(\.+i18n|smartseoul\.i18n)\.messages\s+import\s", re.M)


def python_sources(root: Path) -> list[Path]:
    """The course's Python modules with translatable messages."""
    src = root / "src" / "smartseoul"
    out = []
    for path in sorted(src.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if _IMPORTS_MESSAGES_PKG.search(text) or (
            path.parent.name == "i18n" and re.search(r"^\s*from\s+\.messages\s+import\s", text, re.M)
        ):
            out.append(path)
    return out


def extract_python(root: Path, out: Path) -> int:
    """Write smartseoul.pot from the `_()` and `N_()` calls and the exercises' self-check cells
    (:mod:`.exercise_hints`); return how many messages it holds."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    from .messages import placeholders

    catalog = Catalog(project="smartseoul", fuzzy=False)
    for path in python_sources(root):
        rel = path.relative_to(root).as_posix()
        for lineno, message, comments, _context in extract_from_file(
            "python",
            str(path),
            keywords={"_": None, "N_": None, "_t": (2,), "gettext_in": (2,)},
            comment_tags=("Translators:",),
        ):
            if not isinstance(message, str) or not message:
                continue
            flags = ["python-brace-format"] if placeholders(message) else []
            catalog.add(message, locations=[(rel, lineno)], auto_comments=comments, flags=flags)
    for rel, message, cell in exercise_hints.extract(root):
        flags = ["python-brace-format"] if placeholders(message) else []
        catalog.add(message, locations=[(rel, cell)], flags=flags)
    target = out / f"{PYTHON_CATALOG}.pot"
    catalogs.write(target, catalog)
    return len(catalog)


@dataclass
class Extracted:
    ok: bool
    pots: dict[str, Path] = field(default_factory=dict)
    output: str = ""


def extract(
    root: Path | None = None, echo: Callable[[str], object] = print, capture: bool = False
) -> Extracted:
    """Write every POT file into _build/gettext/ from the English of now."""
    from ..book import effective_config, prepare
    from .sphinx_run import SphinxJob, run

    root = root or paths.course_root()
    out = catalogs.pot_dir(root)
    prepared = prepare(root, echo=echo)
    if out.exists():
        shutil.rmtree(out)  # a page removed from the book must not leave its POT behind
    job = SphinxJob(
        source=str(root),
        output=str(out),
        doctrees=str(root / "_build" / "i18n" / "doctrees" / "gettext"),
        config=str(effective_config(root, None)),
        toc=prepared.toc_path.as_posix(),
        builder="gettext",
        overrides={
            "nb_execution_mode": "off",
            "gettext_compact": False,
            "gettext_uuid": False,
            "gettext_last_translator": "",
        },
    )
    code, log = run(job, cwd=root, capture=capture)
    if code != 0:
        return Extracted(False, output=log)
    n = extract_python(root, out)
    echo(f">> {PYTHON_CATALOG}.pot: {n} messages of the Python code")
    pots = catalogs.templates(root)
    echo(f">> {len(pots)} POT files in {out}")
    return Extracted(True, pots, log)


@dataclass
class Updated:
    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)


def update(
    root: Path,
    table: Table,
    languages: Iterable[str],
    start: Iterable[str] = (),
    everything: bool = False,
) -> Updated:
    """Bring the PO files in line with the POT files (sphinx-intl's update, with the old English
    of a changed message kept for the stale report).

    A PO file that exists is updated. A new one is made only for the Python messages, for the
    catalogues named in `start` (docnames, globs or part names) or for all with `everything`: the
    bulk translation starts a page by starting its PO file, so the repository holds no PO file
    that nobody has begun (their messages still count as untranslated)."""
    from sphinx_intl import catalog as intl

    pots = {n: p for n, p in catalogs.templates(root).items() if not table.is_english_only(n)}
    wanted: list[str] = []
    for item in start:
        wanted += list(table.parts.get(item, (item,)))
    result = Updated()
    for language in languages:
        for name, pot_file in pots.items():
            po_file = catalogs.po_path(root, language, name)
            starting = (
                everything
                or name == PYTHON_CATALOG
                or any(catalogs.select(s, name, _Anything()) for s in wanted if ":" not in s)
                or any(s.split(":", 1)[0] == name for s in wanted)
            )
            pot = intl.load_po(str(pot_file))
            if po_file.exists():
                po = intl.load_po(str(po_file))
                was = catalogs.previous_ids(po_file)
                _keep_previous(po, was)
                before = _snapshot(po)
                intl.update_with_fuzzy(po, pot)
                _keep_previous(po, was)
                if _snapshot(po) == before:
                    result.unchanged.append(po_file)
                    continue
                _write(po_file, po)
                result.updated.append(po_file)
            elif starting:
                pot.locale = language
                _write(po_file, pot)
                result.created.append(po_file)
    return result


def _keep_previous(po, was: dict[str, str]) -> None:
    """Babel does not read back the old English of a fuzzy entry (#| msgid), and its update
    forgets it: put it back, so the stale report still shows what the translation was made from."""
    for m in po:
        if m.id and m.fuzzy and not m.previous_id and str(m.id) in was:
            m.previous_id = [was[str(m.id)]]


class _Anything:
    """A message with no locations, for selecting whole catalogues."""

    locations: ClassVar[list] = []


def _snapshot(catalog) -> list:
    """What a PO file says, to tell whether an update changed it (dates aside)."""
    live = [
        (m.id, m.string, m.fuzzy, tuple(sorted({loc[0] for loc in m.locations})), tuple(m.previous_id or ()))
        for m in catalog
        if m.id
    ]
    gone = sorted((str(k), str(m.string)) for k, m in catalog.obsolete.items())
    return [live, gone]


HEADER = """\
# {name} translation of the Smart Seoul Data Lab: {catalog}
# Made from the English by `smartseoul i18n update`: translate the msgstr lines only. Keep inline
# code, link targets, MyST roles, math, numbers, Korean names and {{placeholders}} as they are
# (`smartseoul i18n check` checks them). How to translate: locales/README.md.
# Course text: CC BY 4.0 (LICENSE-content.md)."""


def _write(po_file: Path, catalog) -> None:
    from sphinx_intl import catalog as intl

    parts = po_file.parts
    at = parts.index("LC_MESSAGES")
    language, name = parts[at - 1], Path(*parts[at + 1 :]).with_suffix("").as_posix()
    catalog.header_comment = HEADER.format(name=language, catalog=name)
    catalog.project = "Smart Seoul Data Lab"
    catalog.version = ""
    catalog.copyright_holder = "Smart Seoul Data Lab contributors"
    catalog.msgid_bugs_address = "https://github.com/smart-seoul-data-lab/smart-seoul-data-lab/issues"
    catalog.fuzzy = False
    intl.dump_po(
        str(po_file), catalog, width=100, include_previous=True, include_lineno=False, sort_output=False
    )
