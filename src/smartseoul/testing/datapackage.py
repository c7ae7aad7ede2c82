"""Validate ``datasets/datapackage.json`` with frictionless, every row of every resource, in CI's time.

Why ``frictionless validate datasets/datapackage.json`` takes a quarter of an hour
---------------------------------------------------------------------------------
Validated resource by resource, the package took about 900 s of processor time (20 minutes of
wall time, two resources at a time, on a shared two-core machine), nearly all of it in the large
Parquet files: bike_rentals_daily (4.2 million rows) 886 s of wall time, sdot_readings 452 s,
subway_ridership 335 s, traffic_speed_hourly 186 s, living_population 120 s,
living_population_bands 117 s, against a few seconds for any CSV or GeoJSON file. A profile shows
why: frictionless 5 reads Parquet with pyarrow, converts it to pandas, then walks the frame with
``DataFrame.iterrows()`` and calls ``Series.to_dict()`` once per *cell* to pick one value
(``frictionless/formats/pandas/parser.py``), so a row of n fields costs n dictionaries of n
entries. On card_spending 82 % of the time went to that reader and 10 % to the checks.

What this module changes, and what it does not
----------------------------------------------
Only that loop. ``StockParquetCells`` yields the same cells as frictionless' own Parquet parser,
value for value and type for type (pyarrow, then ``to_pandas()``, then the same 2-D object array
``iterrows()`` slices, the same boxing of numpy scalars, ``NaN`` -> None where frictionless does
that, timestamps -> ``datetime``), column by column instead of cell by cell.
tests/data/test_datapackage_validates.py checks the two readers agree on every Parquet resource
and on a file holding every column type with gaps. Everything else is frictionless' own:
``Package``, ``Resource.validate()``, the baseline checks, types, constraints, primary keys, row
counts; a type error in a Parquet file fails here exactly as it fails ``frictionless validate``.
The resources are validated in worker processes, the longest first: about 150 s of processor
time in all, bike_rentals_daily 80 s of it (frictionless' own checks, about 19 microseconds a row).

Run it from the course root: ``python -m smartseoul.testing.datapackage [datasets/datapackage.json]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from frictionless import FrictionlessException, Package, Report, Resource, system
from frictionless.formats.parquet.control import ParquetControl
from frictionless.formats.parquet.parser import ParquetParser
from frictionless.formats.parquet.plugin import ParquetPlugin
from frictionless.platform import platform
from pandas.core.dtypes.cast import maybe_box_native

PLUGIN = "smartseoul-parquet"
#: rows converted at a time (a 2-D object array of this many rows is held in memory)
CHUNK = 100_000

#: (error type, row number, field number) as frictionless reports them; None where it gives none
Quirk = tuple[str, int | None, int | None]


# -- the reader ------------------------------------------------------------------------------------
def _numbers(col: np.ndarray) -> list[Any]:
    # ints and floats of a numpy column are already Python objects in the object array;
    # maybe_box_native returns them unchanged and none is the np.nan singleton
    return col.tolist()


def _datetimes(col: np.ndarray) -> list[Any]:
    stamp = pd.Timestamp
    return [v.to_pydatetime() if isinstance(v, stamp) else v for v in col.tolist()]


def _objects(col: np.ndarray) -> list[Any]:
    nan, stamp, box = np.nan, pd.Timestamp, maybe_box_native
    out = []
    for v in col.tolist():
        v = box(v)
        out.append(None if v is nan else v.to_pydatetime() if isinstance(v, stamp) else v)
    return out


class StockParquetCells(ParquetParser):
    """frictionless' Parquet parser with its row loop done column by column (see the module)."""

    def read_cell_stream_create(self):
        control = ParquetControl.from_dialect(self.resource.dialect)
        table = platform.pyarrow_parquet.read_table(
            self.resource.normpath, columns=control.columns, filters=control.filters or None
        )
        df = table.to_pandas(categories=control.categories or None)
        if not self.resource.schema or not len(df) or df.iloc[:1].values.dtype != object:
            # frictionless infers the schema from the frame, or the frame has one numpy type:
            # cases the datasets never meet, left to frictionless' own loop
            yield from super().read_cell_stream_create()
            return
        convert: list[Callable[[np.ndarray], list[Any]]] = []
        for dtype in df.dtypes:
            if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
                convert.append(_numbers)
            elif pd.api.types.is_datetime64_any_dtype(dtype):
                convert.append(_datetimes)
            else:
                convert.append(_objects)
        yield [str(c) for c in df.columns]
        for start in range(0, len(df), CHUNK):
            values = df.iloc[start : start + CHUNK].values  # what iterrows() slices row by row
            columns = [conv(values[:, i]) for i, conv in enumerate(convert)]
            yield from map(list, zip(*columns))


class _Plugin(ParquetPlugin):
    def create_parser(self, resource: Resource):
        if resource.format in ("parq", "parquet"):
            return StockParquetCells(resource)
        return None


def register() -> None:
    """Make frictionless read Parquet with StockParquetCells in this process."""
    system.register(PLUGIN, _Plugin())


def deregister() -> None:
    system.deregister(PLUGIN)


@contextmanager
def stock_equivalent_parquet() -> Iterator[None]:
    register()
    try:
        yield
    finally:
        deregister()


# -- validating the package ------------------------------------------------------------------------
_packages: dict[str, Package] = {}


def _package(source: str, basepath: str | None) -> Package:
    """One Package per descriptor in each worker process (reading it costs a second)."""
    key = f"{source}\0{basepath}"
    if key not in _packages:
        if source.lstrip().startswith("{"):
            _packages[key] = Package(json.loads(source), basepath=basepath)
        else:
            _packages[key] = Package(source)
    return _packages[key]


def _timed(resource: Resource) -> tuple[dict[str, Any], float]:
    """A resource's report, and the processor time it took (wall time depends on the machine's load)."""
    start = time.process_time()
    report = resource.validate()
    return report.to_descriptor(), time.process_time() - start


def _validate_one(source: str, basepath: str | None, name: str) -> tuple[dict[str, Any], float]:
    """In a worker process: a resource of a package, read once per worker."""
    return _timed(_package(source, basepath).get_resource(name))


def cost(descriptor: dict[str, Any]) -> float:
    """A rough measure of how long frictionless takes over a resource: cells, plus rows."""
    rows = descriptor.get("rows") or 0
    return rows * (len(descriptor.get("schema", {}).get("fields", [])) + 4)


@dataclass
class Validation:
    """A package's validation: frictionless' report (each resource's wall time in its task's
    stats), the processor seconds each resource took, and the wall seconds of the whole."""

    report: Report
    cpu: dict[str, float]
    seconds: float

    def timings(self) -> list[tuple[str, float, float, int]]:
        """(resource, wall seconds, processor seconds, rows) of each resource, the slowest first."""
        out = [
            (
                t.name,
                float(t.stats.get("seconds") or 0),
                self.cpu.get(t.name, 0.0),
                int(t.stats.get("rows") or 0),
            )
            for t in self.report.tasks
        ]
        return sorted(out, key=lambda r: -r[2])


def validate_package(
    source: Path | dict[str, Any],
    basepath: Path | None = None,
    workers: int | None = None,
) -> Validation:
    """frictionless' validation of a data package (a datapackage.json, or a descriptor and the
    folder its paths are relative to), with Parquet read by StockParquetCells, one resource per
    task in ``workers`` processes (default: the CPUs; 1 validates in this process), the costliest
    first. The report is the one ``Package.validate()`` gives."""
    timer = time.perf_counter()
    if isinstance(source, dict):
        text, base = json.dumps(source, ensure_ascii=False), str(basepath) if basepath else None
        package = Package(source, basepath=base)
    else:
        text, base = str(source), None
        package = Package(str(source))
    try:
        package.to_descriptor(validate=True)
    except FrictionlessException as exc:  # broken metadata: frictionless reports it and stops
        seconds = time.perf_counter() - timer
        return Validation(Report.from_validation(time=seconds, errors=exc.to_errors()), {}, seconds)
    resources = package.to_descriptor()["resources"]
    order = sorted(range(len(resources)), key=lambda i: -cost(resources[i]))
    workers = max(1, min(workers or os.cpu_count() or 1, len(resources)))
    if workers == 1:  # in this process
        with stock_equivalent_parquet():
            done = [_timed(package.get_resource(r["name"])) for r in resources]
    else:
        context = multiprocessing.get_context("spawn")  # a clean interpreter, whatever the caller holds
        with ProcessPoolExecutor(workers, mp_context=context, initializer=register) as pool:
            futures = {i: pool.submit(_validate_one, text, base, resources[i]["name"]) for i in order}
            done = [futures[i].result() for i in range(len(resources))]
    seconds = time.perf_counter() - timer
    report = Report.from_validation_reports(
        time=seconds, reports=[Report.from_descriptor(d) for d, _ in done]
    )
    return Validation(report, {r["name"]: cpu for r, (_, cpu) in zip(resources, done)}, seconds)


def problems(report: Report, limit: int = 20) -> list[str]:
    """The errors of a report, one line each: resource, row, field, error type and note."""
    lines = [f"package: {e.type}: {e.note}" for e in report.errors]
    for task in report.tasks:
        for error in task.errors:
            e = error.to_descriptor()
            where = [f"{key} {e[key]}" for key in ("rowNumber", "fieldName") if e.get(key)]
            lines.append(f"{task.name}: {', '.join(where + [e['type']])}: {e.get('note', '')}")
    return lines[:limit]


# -- the raw files' quirks -------------------------------------------------------------------------
def documented_quirks(descriptor: dict[str, Any]) -> set[Quirk]:
    """The errors a raw resource's ``quirks`` say frictionless reports on the file as it is."""
    found: set[Quirk] = set()
    for q in descriptor.get("quirks", []):
        for row in q.get("rows") or [None]:
            for field in q.get("fields") or [None]:
                found.add((q["error"], row, field))
    return found


def quirks_found(descriptor: dict[str, Any], basepath: Path) -> set[Quirk]:
    """The errors frictionless reports reading a raw file with its default dialect: the published
    descriptor without its dialect, and so without the row count that dialect gives."""
    as_is = {k: v for k, v in descriptor.items() if k not in ("dialect", "rows")}
    report = Resource(as_is, basepath=str(basepath)).validate()
    return {(t, r, f) for t, r, f in report.flatten(["type", "rowNumber", "fieldNumber"])}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("package", nargs="?", default="datasets/datapackage.json")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs)")
    args = parser.parse_args(argv)
    done = validate_package(Path(args.package), workers=args.workers)
    print(f"{'wall s':>8} {'cpu s':>8} {'rows':>10}  resource")
    for name, wall, cpu, rows in done.timings():
        print(f"{wall:8.1f} {cpu:8.1f} {rows:>10,}  {name}")
    for line in problems(done.report):
        print(line)
    verdict = "valid" if done.report.valid else "INVALID"
    total = sum(done.cpu.values())
    print(
        f"{verdict}: {len(done.report.tasks)} resources, {done.seconds:.1f} s wall, {total:.1f} s of validation"
    )
    return 0 if done.report.valid else 1


if __name__ == "__main__":
    sys.exit(main())
