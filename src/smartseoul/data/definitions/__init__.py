"""Dataset definitions as data: what each file is, where it comes from, what every field means.

Each dataset's prose (titles, descriptions, what it imitates, sources, notes), its field
dictionary and the figure the book's data catalogue draws of each resource live in
``<dataset>.yaml`` in this folder, so that the text can be read and corrected without reading
generator code. Generators keep only what they compute: ``resource(dataset,
name)`` gives the Resource a file defines, and ``check_data`` stops ``smartseoul data generate``
when a definition and the data disagree.

Three shorthands in the YAML files: ``!spec NAME`` is a constant of ``smartseoul.data.spec``
(``SYNTHETIC_NOTE``, ``SOURCES_PAGE``, ``CC_BY``); ``!fact ID`` is a source entry that links the
fact ``ID`` of ``book/facts.yaml`` on the course's sources page (`smartseoul book citations`
checks that the ID exists); and a field entry ``computed: KEY`` stands for
fields the generator builds in a loop (one column per hour, per gu, per age band) and passes as
``computed_fields={KEY: [...]}``.

A raw portal-style file may declare a ``dialect`` (what frictionless can be told about its layout:
header rows, comment rows) and ``quirks``: each quirk it keeps on purpose that frictionless cannot
be told to expect, as the error frictionless reports when it reads the file with its default
dialect, and where (``rows``, ``fields``, numbered from 1). ``rows: computed`` stands for rows the
generator chose, passed as ``quirk_rows={ERROR: [...]}``.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
from collections.abc import Mapping
from importlib import resources as ires
from importlib.resources.abc import Traversable
from typing import Any, get_args

import pandas as pd
import yaml

from .. import spec
from ..schema import Field, FieldType, Schema
from ..spec import Resource

#: the YAML files ship inside this package
FOLDER: Traversable = ires.files(__name__)

SPEC_CONSTANTS = {
    "SYNTHETIC_NOTE": spec.SYNTHETIC_NOTE,
    "SOURCES_PAGE": spec.SOURCES_PAGE,
    "CC_BY": spec.CC_BY,
}
REQUIRED = ("title", "description", "path", "format", "provenance", "figure")
OPTIONAL = (
    "role",
    "imitates",
    "oa",
    "sources",
    "notes",
    "encoding",
    "licenses",
    "schema",
    "dialect",
    "quirks",
)
#: the Table Dialect properties a definition may set (frictionless 5 reads them all)
DIALECT_KEYS = ("header", "headerRows", "headerJoin", "commentRows", "commentChar", "skipBlankRows")
QUIRK_KEYS = ("error", "rows", "fields", "description")
#: the frictionless errors a quirk may stand for: those of a file's labels, rows and cells
QUIRK_ERRORS = (
    "blank-label",
    "duplicate-label",
    "extra-label",
    "missing-label",
    "incorrect-label",
    "blank-row",
    "extra-cell",
    "missing-cell",
    "type-error",
    "constraint-error",
)
SCHEMA_KEYS = ("fields", "primary_key", "missing_values")
FIELD_KEYS = tuple(f.name for f in dataclasses.fields(Field))
#: the figures the catalogue draws: kind -> (the keys it needs, the keys it may have)
FIGURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "map": ((), ("column", "label")),  # coloured by `column` if given; `label` names the extremes
    "line": (("x", "y", "stat"), ()),  # `stat` of `y` per day or week along the time column `x`
    "bar": (("column", "by", "stat"), ()),  # `stat` of `column` for each value of `by`
    "hist": (("column",), ()),
    "none": ((), ()),
}
FIGURE_COLUMNS = ("column", "label", "x", "y", "by")
STATS = ("sum", "mean")


class DefinitionError(ValueError):
    """A dataset definition is incomplete, or does not match the data."""


class _Loader(yaml.SafeLoader):
    """YAML's safe loader plus the ``!spec NAME`` shorthand."""


def _spec_constant(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    name = loader.construct_scalar(node)  # type: ignore[arg-type]
    if name not in SPEC_CONSTANTS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"!spec {name}: unknown; the shared constants are {sorted(SPEC_CONSTANTS)}",
            node.start_mark,
        )
    return copy.deepcopy(SPEC_CONSTANTS[name])


_Loader.add_constructor("!spec", _spec_constant)


def _fact(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, str]:
    if not isinstance(node, yaml.ScalarNode):
        raise DefinitionError("!fact takes one fact ID, for example: !fact owl-bus-launch")
    return spec.fact_source(str(loader.construct_scalar(node)))


_Loader.add_constructor("!fact", _fact)


def datasets(folder: Traversable | None = None) -> list[str]:
    """The datasets that have a definitions file."""
    return sorted(
        p.name.removesuffix(".yaml") for p in (folder or FOLDER).iterdir() if p.name.endswith(".yaml")
    )


_parsed: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}


def read(dataset: str, folder: Traversable | None = None) -> dict[str, dict[str, Any]]:
    """The checked definitions of one dataset, by resource name (read once; do not modify them)."""
    folder = folder or FOLDER
    if (dataset, str(folder)) not in _parsed:
        _parsed[(dataset, str(folder))] = _parse(dataset, folder)
    return _parsed[(dataset, str(folder))]


def _parse(dataset: str, folder: Traversable) -> dict[str, dict[str, Any]]:
    path = folder / f"{dataset}.yaml"
    if not path.is_file():
        raise DefinitionError(
            f"dataset {dataset!r} has no definitions: {dataset}.yaml is missing from {folder}"
        )
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{dataset}.yaml: {exc}") from exc
    if not isinstance(doc, dict) or not doc:
        raise DefinitionError(f"{dataset}.yaml must map each resource name to its definition")
    for name, definition in doc.items():
        _check(dataset, name, definition)
    return doc


def _check(dataset: str, name: str, d: Any) -> None:
    """Say exactly what is wrong with one resource's definition."""
    where = f"{dataset}.yaml, resource {name!r}"
    if not isinstance(d, dict):
        raise DefinitionError(f"{where}: expected a mapping of keys such as title, description, schema")
    problems = [f"missing {key!r}" for key in REQUIRED if key not in d]
    problems += [f"unknown key {key!r}" for key in d if key not in REQUIRED + OPTIONAL]
    for key, allowed in (("format", spec.Format), ("provenance", spec.Provenance), ("role", spec.Role)):
        if key in d and d[key] not in get_args(allowed):
            problems.append(f"{key} {d[key]!r} is not one of {list(get_args(allowed))}")
    problems += _dialect_problems(d)
    if problems:
        raise DefinitionError(f"{where}: " + "; ".join(problems))
    schema = d.get("schema") or {}
    problems = [f"unknown schema key {key!r}" for key in schema if key not in SCHEMA_KEYS]
    declared = []
    for entry in schema.get("fields", []):
        if isinstance(entry, dict) and set(entry) == {"computed"}:
            continue
        field = entry.get("name") if isinstance(entry, dict) else None
        if not field:
            raise DefinitionError(f"{where}: a field without a name: {entry!r}")
        declared.append(field)
        _check_field(f"{where}, field {field!r}", entry)
    missing_key = [k for k in schema.get("primary_key", []) if k not in declared]
    if missing_key:
        problems.append(f"primary key {missing_key} names no field")
    problems += _figure_problems(d["figure"], declared)
    if problems:
        raise DefinitionError(f"{where}: " + "; ".join(problems))


def _dialect_problems(d: dict[str, Any]) -> list[str]:
    """What is wrong with a definition's dialect and quirks."""
    dialect = d.get("dialect") or {}
    if not isinstance(dialect, dict):
        return [f"dialect must be a mapping of {list(DIALECT_KEYS)}"]
    problems = [f"unknown dialect key {key!r}" for key in dialect if key not in DIALECT_KEYS]
    quirks = d.get("quirks") or []
    if quirks and d.get("role") != "raw":
        problems.append("only a raw file keeps quirks (role: raw)")
    seen: set[str] = set()
    for q in quirks:
        if not isinstance(q, dict):
            problems.append(f"a quirk must be a mapping of {list(QUIRK_KEYS)}: {q!r}")
            continue
        error = q.get("error")
        problems += [f"quirk {error!r}: unknown key {key!r}" for key in q if key not in QUIRK_KEYS]
        if error not in QUIRK_ERRORS:
            problems.append(f"quirk error {error!r} is not one of {list(QUIRK_ERRORS)}")
        if error in seen:
            problems.append(f"two quirks for {error!r}: list all its rows and fields in one")
        seen.add(str(error))
        if not isinstance(q.get("description"), str) or not q["description"].strip():
            problems.append(f"quirk {error!r} has no description (say what the file does, and why)")
        if "rows" not in q and "fields" not in q:
            problems.append(f"quirk {error!r} says neither where (rows) nor in which fields it occurs")
        for key in ("rows", "fields"):
            value = q.get(key, [])
            numbers = isinstance(value, list) and value and all(isinstance(n, int) and n > 0 for n in value)
            if not (numbers or (key == "rows" and value == "computed") or key not in q):
                problems.append(f"quirk {error!r}: {key} must be numbers from 1 (or rows: computed)")
    return problems


def _check_field(where: str, entry: dict[str, Any]) -> None:
    problems = [f"unknown key {key!r}" for key in entry if key not in FIELD_KEYS]
    if not isinstance(entry.get("description"), str) or not entry["description"].strip():
        problems.append("no description (every field says what it means)")
    if entry.get("type") not in get_args(FieldType):
        problems.append(f"type {entry.get('type')!r} is not one of {list(get_args(FieldType))}")
    if problems:
        raise DefinitionError(f"{where}: " + "; ".join(problems))


def _figure_problems(figure: Any, fields: list[str]) -> list[str]:
    kind = figure.get("kind") if isinstance(figure, dict) else None
    if kind not in FIGURES:
        return [f"figure needs a kind, one of {list(FIGURES)} (found {figure!r})"]
    needs, may = FIGURES[kind]
    problems = [f"a {kind} figure needs {key!r}" for key in needs if key not in figure]
    problems += [f"a {kind} figure takes no {key!r}" for key in figure if key not in ("kind", *needs, *may)]
    if "stat" in figure and figure["stat"] not in STATS:
        problems.append(f"figure stat {figure['stat']!r} is not one of {list(STATS)}")
    problems += [
        f"figure {key} {figure[key]!r} is not a field of the resource"
        for key in FIGURE_COLUMNS
        if key in figure and figure[key] not in fields
    ]
    return problems


def _definition(dataset: str, name: str, folder: Traversable | None) -> dict[str, Any]:
    definitions = read(dataset, folder)
    if name not in definitions:
        raise DefinitionError(f"{dataset}.yaml has no resource {name!r}; it defines {sorted(definitions)}")
    return copy.deepcopy(definitions[name])


def resource(
    dataset: str,
    name: str,
    computed_fields: Mapping[str, list[Field]] | None = None,
    folder: Traversable | None = None,
    quirk_rows: Mapping[str, list[int]] | None = None,
) -> Resource:
    """The resource ``name`` of ``dataset`` as its YAML file defines it, with the file's
    ``computed: KEY`` entries filled from ``computed_fields``, and the rows of its
    ``rows: computed`` quirks from ``quirk_rows`` (by error)."""
    d = _definition(dataset, name, folder)
    where = f"{dataset}.yaml, resource {name!r}"
    del d["figure"]  # the book's business, not the data package's
    schema = d.pop("schema", None)
    if schema is not None:
        d["schema"] = _schema(where, schema, computed_fields or {})
    elif computed_fields:
        raise DefinitionError(f"{where} has no schema to put computed fields in")
    d["quirks"] = _quirks(where, d.get("quirks") or [], quirk_rows or {})
    return Resource(name=name, dataset=dataset, **d)


def _quirks(where: str, quirks: list[dict[str, Any]], rows: Mapping[str, list[int]]) -> list[dict[str, Any]]:
    """The quirks in a fixed key order, with computed rows filled in."""
    out = []
    for q in quirks:
        entry: dict[str, Any] = {"error": q["error"]}
        if q.get("rows") == "computed":
            if not rows.get(q["error"]):
                raise DefinitionError(f"{where}: the generator must pass quirk_rows {q['error']!r}")
            entry["rows"] = sorted(int(r) for r in rows[q["error"]])
        elif "rows" in q:
            entry["rows"] = q["rows"]
        if "fields" in q:
            entry["fields"] = q["fields"]
        entry["description"] = q["description"]
        out.append(entry)
    unused = set(rows) - {q["error"] for q in quirks if q.get("rows") == "computed"}
    if unused:
        raise DefinitionError(f"{where}: quirk rows {sorted(unused)} have no 'rows: computed' quirk")
    return out


def _schema(where: str, d: dict[str, Any], computed: Mapping[str, list[Field]]) -> Schema:
    fields: list[Field] = []
    for entry in d.get("fields", []):
        if set(entry) == {"computed"}:
            if entry["computed"] not in computed:
                raise DefinitionError(
                    f"{where}: the generator must pass computed_fields {entry['computed']!r}"
                )
            fields += computed[entry["computed"]]
        else:
            values: dict[str, Any] = {k: tuple(v) if k == "enum" else v for k, v in entry.items()}
            fields.append(Field(**values))
    unused = set(computed) - {e["computed"] for e in d.get("fields", []) if set(e) == {"computed"}}
    if unused:
        raise DefinitionError(
            f"{where}: computed fields {sorted(unused)} have no 'computed' entry in the schema"
        )
    return Schema(fields, d.get("primary_key", []), d.get("missing_values", []))


def schema(dataset: str, name: str, folder: Traversable | None = None) -> Schema:
    """The schema of a resource, for a generator that describes other fields from it."""
    found = resource(dataset, name, folder=folder).schema
    if found is None:
        raise DefinitionError(f"{dataset}.yaml, resource {name!r} has no schema")
    return found


def figure(dataset: str, name: str, folder: Traversable | None = None) -> dict[str, str]:
    """The figure the catalogue draws of a resource, e.g. ``{"kind": "hist", "column": "pm10"}``."""
    return _definition(dataset, name, folder)["figure"]


def check_data(made: Resource, data: Any) -> None:
    """Stop when a definition and its data disagree: a defined field the data lack, or a table
    column no field describes. Raw CSV files are checked against their header."""
    if made.schema is None:
        return
    where = f"{made.dataset}.yaml, resource {made.name!r}"
    names = made.schema.names
    if isinstance(data, pd.DataFrame):
        columns = set(map(str, data.columns))
        undescribed = [str(c) for c in data.columns if c not in names]
        if undescribed:
            raise DefinitionError(f"{where}: the data have column(s) {undescribed} that no field describes")
    elif isinstance(data, (bytes, bytearray)) and made.format == "csv":
        columns = _csv_header(bytes(data).decode(made.encoding))
    else:
        return
    absent = [n for n in names if n not in columns]
    if absent:
        raise DefinitionError(f"{where}: field(s) {absent} are defined, but the data have no such column")


def _csv_header(text: str) -> set[str]:
    """The column names of a CSV text. A portal file may merge headings over several rows: rows
    after the first that start with an empty cell still belong to the header."""
    rows = csv.reader(io.StringIO(text))
    names = set(next(rows, []))
    for row in rows:
        if row and row[0]:
            break
        names |= set(row)
    return names - {""}
