"""Generate datasets/ deterministically and describe it in datapackage.json.

The same seed and the same pinned libraries give byte-identical files; a test regenerates
everything into a temporary folder and compares checksums with the committed package."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import pkgutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..render import render
from .definitions import check_data
from .spec import (
    SOURCES_PAGE,
    SYNTHETIC_NOTE,
    Context,
    Output,
    file_size,
    record_count,
    size_key,
    source_href,
)

DEFAULT_SEED = 20130912  # the day the Owl Bus went to nine routes
PACKAGE_NAME = "smart-seoul-data-lab"


def builders() -> dict[str, Callable[[Context], list[Output]]]:
    """Every generator module in smartseoul.data.generators, by the dataset name it declares."""
    from . import generators

    found: dict[str, Callable[[Context], list[Output]]] = {}
    for info in sorted(pkgutil.iter_modules(generators.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{generators.__name__}.{info.name}")
        if hasattr(mod, "DATASET") and hasattr(mod, "build"):
            found[mod.DATASET] = mod.build
    return found


# -- writing ----------------------------------------------------------------------------------
def _round_coords(obj: Any, ndigits: int) -> Any:
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), ndigits) for v in obj]
        return [_round_coords(o, ndigits) for o in obj]
    return obj


def _json_value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def geojson_bytes(gdf, ndigits: int = 5) -> bytes:
    """A compact, deterministic GeoJSON FeatureCollection in WGS84."""
    from shapely.geometry import mapping

    gdf = gdf.to_crs(4326)
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    features = []
    for row in gdf.itertuples(index=False):
        rec = row._asdict()
        geom = mapping(getattr(row, gdf.geometry.name))
        geom = {"type": geom["type"], "coordinates": _round_coords(geom["coordinates"], ndigits)}
        features.append(
            {"type": "Feature", "properties": {k: _json_value(rec[k]) for k in props}, "geometry": geom}
        )
    fc = {"type": "FeatureCollection", "features": features}
    return (json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def nullable_integer_metadata(df: pd.DataFrame) -> dict[bytes, bytes] | None:
    """Parquet schema metadata that makes pyarrow read whole numbers with gaps back as pandas'
    nullable integers, or None when the frame has no such column.

    Parquet stores such a column as int64 with nulls, but pyarrow's ``to_pandas()`` turns an
    integer column with nulls into float64 (1985.0, NaN) unless the file's ``pandas`` metadata
    names the nullable dtype. That is how frictionless 5 reads Parquet (pyarrow, then pandas, then
    row by row): it met the float NaN, which is neither an integer nor a missing value, and
    reported "type-error" for every gap. With this metadata it reads Python ints and None, and so
    does anyone who calls ``pandas.read_parquet``. Only the nullable-integer columns are listed,
    without the versions pandas would record, so the files stay byte-identical across versions.
    """
    columns = [
        {
            "name": str(c),
            "field_name": str(c),
            "pandas_type": str(d).lower(),
            "numpy_type": str(d),
            "metadata": None,
        }
        for c, d in df.dtypes.items()
        if isinstance(d, pd.api.extensions.ExtensionDtype) and pd.api.types.is_integer_dtype(d)
    ]
    if not columns:
        return None
    meta = {"index_columns": [], "column_indexes": [], "columns": columns}
    return {b"pandas": json.dumps(meta, separators=(",", ":")).encode("utf-8")}


def serialise(out: Output) -> bytes:
    r, data = out.resource, out.data
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if r.format == "geojson":
        return geojson_bytes(data)
    if r.format == "json":
        return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")
    if r.format == "csv":
        buf = io.StringIO()
        data.to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue().encode(r.encoding)
    if r.format == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(data, preserve_index=False)
        # pandas' own metadata names the pandas and pyarrow versions, so it is replaced by the
        # little that the Arrow schema cannot say (nothing, for most files)
        table = table.replace_schema_metadata(nullable_integer_metadata(data))
        sink = pa.BufferOutputStream()
        pq.write_table(
            table,
            sink,
            compression="zstd",
            compression_level=9,
            use_dictionary=True,
            write_statistics=True,
            row_group_size=1_000_000,
        )
        return sink.getvalue().to_pybytes()
    raise ValueError(f"unknown format {r.format!r} for {r.name}")


def row_count(out: Output) -> int | None:
    data = out.data
    if isinstance(data, pd.DataFrame):
        return len(data)
    if isinstance(data, (bytes, bytearray)):  # the lines frictionless reads as rows
        return max(bytes(data).count(b"\n") - len(_lines_not_rows(out.resource.published_dialect())), 0)
    if isinstance(data, list):
        return len(data)
    return None


def _lines_not_rows(dialect: dict[str, Any] | None) -> set[int]:
    """The lines of a text table that are not rows under a Table Dialect: its header rows (the
    first line by default) and its comment rows."""
    dialect = dialect or {}
    header = set(dialect.get("headerRows", [1])) if dialect.get("header", True) else set()
    return header | set(dialect.get("commentRows", []))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- the package ------------------------------------------------------------------------------
def package_header() -> dict[str, Any]:
    return {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": "Smart Seoul Data Lab: Seoul-style open datasets for teaching",
        "description": (
            "One coherent simulated Seoul: the same weather, the same COVID waves and the same "
            "population drive every dataset. Files are shaped like Seoul Open Data Plaza files "
            "(Korean headers and CP949 in the raw files, English names in the clean ones). "
            + SYNTHETIC_NOTE
            + " Resources marked provenance 'factual' hold real facts with their sources; "
            "'derived' marks approximate geometry built from public centroids and outlines."
        ),
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "sources": [
            SOURCES_PAGE,
            {
                "title": "southkorea/seoul-maps (JUSO 2015 boundaries, Apache-2.0)",
                "path": "https://github.com/southkorea/seoul-maps",
            },
            {
                "title": "vuski/admdongkor (administrative dong codes, ver20220309)",
                "path": "https://github.com/vuski/admdongkor",
            },
        ],
        "keywords": ["Seoul", "smart city", "open data", "synthetic", "teaching"],
    }


class UserDataChanged(RuntimeError):
    """A file in datasets/ differs from its recorded checksum: it may hold someone's edits."""


def generate(
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    only: Iterable[str] | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Build the datasets (all, or ``only`` some) into ``out_dir`` and update datapackage.json.

    Refuses to overwrite a file whose content differs from its recorded checksum unless
    ``force``: nothing is silently regenerated over user data."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(out_dir / ".generate.lock", "w") as lock:  # one writer of datapackage.json at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _generate(out_dir, seed, only, force, progress)


def _generate(out_dir: Path, seed: int, only, force: bool, progress) -> dict[str, Any]:
    all_builders = builders()
    names = list(all_builders) if not only else list(only)
    unknown = [n for n in names if n not in all_builders]
    if unknown:
        raise KeyError(f"unknown dataset(s) {unknown}; available: {sorted(all_builders)}")
    pkg_path = out_dir / "datapackage.json"
    old = json.loads(pkg_path.read_text(encoding="utf-8")) if pkg_path.exists() else {"resources": []}
    recorded = {r["path"]: r.get("hash", "").removeprefix("sha256:") for r in old.get("resources", [])}
    ctx = Context(seed, all_builders)
    new_resources: dict[str, dict[str, Any]] = {}
    for name in names:
        if progress:
            progress(name)
        for out in ctx.outputs(name):
            check_data(out.resource, out.data)
            blob = serialise(out)
            target = out_dir / out.resource.path
            digest = sha256(blob)
            if target.exists() and not force:
                current = file_sha256(target)
                if current != digest and current != recorded.get(out.resource.path):
                    raise UserDataChanged(
                        f"{target} differs from the recorded checksum, so it may hold your own "
                        f"edits. Move it away, or regenerate with --force to overwrite it."
                    )
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
            desc = out.resource.descriptor()
            desc[size_key(out.resource.format)] = len(blob)
            desc["hash"] = f"sha256:{digest}"
            rows = row_count(out)
            if rows is not None:
                desc["features" if out.resource.format == "geojson" else "rows"] = rows
            new_resources[out.resource.name] = desc
    # keep the other datasets' entries, in a stable order: by dataset then resource name
    merged = {r["name"]: r for r in old.get("resources", []) if r["name"] not in new_resources}
    merged.update(new_resources)
    if not only:  # a full run drops resources that no generator makes any more
        merged = new_resources
    pkg = package_header()
    pkg["seed"] = seed
    pkg["resources"] = sorted(merged.values(), key=lambda r: (r["dataset"], r["name"]))
    pkg_path.write_text(json.dumps(pkg, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_readmes(out_dir, pkg)
    (out_dir / "README.md").write_text(catalogue_readme(pkg), encoding="utf-8")
    return pkg


# -- provenance notes next to the data (one README per dataset folder) ------------------------
PROVENANCE_TEXT = {
    "synthetic": "**Synthetic** (generated for teaching)",
    "factual": "**Factual** (real facts, with sources)",
    "derived": "**Derived** (approximate, built from public facts)",
}


def dataset_readme(dataset: str, resources: list[dict[str, Any]]) -> str:
    """A human-readable provenance note for one dataset folder, written from the metadata."""
    shown = [
        {
            **r,
            "file": Path(r["path"]).name,
            "rows": record_count(r) if record_count(r) is not None else "?",
            "bytes": file_size(r) or 0,
            "status": PROVENANCE_TEXT[r["provenance"]],
            "imitates": r.get("imitates"),
            "oa": r.get("oa"),
            "notes": r.get("notes", []),
            "quirks": r.get("quirks", []),
            "dialect": json.dumps(r["dialect"]) if r.get("dialect") else "",
            "sources": [
                {**src, "href": source_href(src.get("path", ""), f"datasets/{dataset}")}
                for src in r.get("sources", [])
            ],
            "sha256": r.get("hash", "").removeprefix("sha256:"),
            "fields": [
                {"name_ko": "", "unit": "", "description": "", **f}
                for f in r.get("schema", {}).get("fields", [])
            ],
        }
        for r in resources
    ]
    return render("dataset_readme.md.j2", dataset=dataset, resources=shown)


def write_readmes(out_dir: Path, pkg: dict[str, Any]) -> None:
    """One README per folder (several datasets may share one, e.g. bike stations and rentals)."""
    by_folder: dict[str, list[dict[str, Any]]] = {}
    for r in pkg["resources"]:
        by_folder.setdefault(Path(r["path"]).parts[0], []).append(r)
    for folder, res in by_folder.items():
        title = " + ".join(dict.fromkeys(r["dataset"] for r in res))
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        (out_dir / folder / "README.md").write_text(dataset_readme(title, res), encoding="utf-8")


def catalogue_readme(pkg: dict[str, Any]) -> str:
    """datasets/README.md: the catalogue for humans, written from the same metadata."""
    resources = [
        {**r, "folder": Path(r["path"]).parts[0], "rows": record_count(r) or ""} for r in pkg["resources"]
    ]
    return render(
        "datasets_index.md.j2", description=pkg["description"], resources=resources, seed=pkg.get("seed")
    )
