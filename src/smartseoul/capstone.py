"""The capstone: check a trainee's own city data, then rerun a module-5 style equity analysis.

Two files go in: district boundaries (GeoJSON or GeoPackage) and one indicator table (CSV).
``validate()`` reads both and returns every problem it finds, each with the exact fix, instead of
stopping at the first traceback. ``toy_city()`` makes a small fictional city to practise on.

    from smartseoul import capstone
    report = capstone.validate("my_city/boundaries.geojson", "my_city/indicators.csv",
                               key="district_id", numeric=["population", "pop_65_plus", "cooling_centres"])
    print(report)            # what is wrong, and what to do
    report.joined            # the districts with their indicators, when everything is fine

The `inspect_*` functions record each problem in the report as a Finding and go on, so the
trainee sees every problem at once (the exercise checks, `checks.check_*`, raise instead).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import typer
from shapely.geometry import Polygon

from .findings import Finding

app = typer.Typer(help="Validate your own city's boundaries and indicator table.", no_args_is_help=True)


def problem(code: str, what: str, fix: str, where: str = "") -> Finding:
    """One thing the trainee must fix in their files, in the project's one finding shape."""
    return Finding(code, where, what, fix)


def _show(p: Finding) -> str:
    loc = f" [{p.where}]" if p.where else ""
    return f"- {p.what}{loc}\n  fix: {p.fix}"


@dataclass
class Report:
    problems: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    boundaries: gpd.GeoDataFrame | None = None
    indicators: pd.DataFrame | None = None
    joined: gpd.GeoDataFrame | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok and self.joined is not None:
            head = f"Your data are ready: {len(self.joined)} districts joined with their indicators."
        else:
            head = f"{len(self.problems)} problem(s) to fix before the analysis can run:"
        lines = [head, *[_show(p) for p in self.problems]]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def raise_if_problems(self) -> None:
        if not self.ok:
            raise ValueError(str(self))


# -- reading ---------------------------------------------------------------------------------
def read_boundaries(path: str | Path, report: Report) -> gpd.GeoDataFrame | None:
    path = Path(path)
    if not path.exists():
        report.problems.append(
            problem(
                "no-boundaries-file",
                f"The boundaries file {path} does not exist.",
                "Check the file name and folder; put it next to this notebook or give the full path.",
            )
        )
        return None
    if path.suffix.lower() not in (".geojson", ".json", ".gpkg", ".shp"):
        report.problems.append(
            problem(
                "not-boundaries",
                f"{path.name} is not a boundaries file we can read (GeoJSON or GeoPackage expected).",
                "Export your districts from QGIS or ArcGIS as GeoJSON (.geojson) or GeoPackage (.gpkg).",
            )
        )
        return None
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:
        report.problems.append(
            problem(
                "unreadable-boundaries",
                f"{path.name} could not be read as map data ({type(exc).__name__}: {str(exc)[:160]}).",
                "Open it in QGIS to check it is a valid GeoJSON/GeoPackage, then export it again.",
            )
        )
        return None
    if gdf.empty:
        report.problems.append(
            problem(
                "no-districts",
                f"{path.name} holds no districts.",
                "Export the layer that has your district polygons.",
            )
        )
        return None
    return gdf


def read_indicators(path: str | Path, report: Report, encoding: str | None = None) -> pd.DataFrame | None:
    path = Path(path)
    if not path.exists():
        report.problems.append(
            problem(
                "no-table-file",
                f"The indicator table {path} does not exist.",
                "Check the file name and folder; put it next to this notebook or give the full path.",
            )
        )
        return None
    raw = path.read_bytes()
    enc = encoding or "utf-8-sig"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as exc:
        guess = _guess_encoding(raw)
        report.problems.append(
            problem(
                "not-utf8",
                f"{path.name} is not UTF-8 text (byte {raw[exc.start]:#04x} at position {exc.start} cannot be read)"
                + (f"; it looks like {guess}." if guess else "."),
                "In Excel choose 'Save As > CSV UTF-8', or tell the validator the encoding, e.g. "
                + (
                    f"validate(..., encoding='{guess.split()[0].lower()}')."
                    if guess
                    else "validate(..., encoding='cp1252')."
                ),
            )
        )
        return None
    from io import StringIO

    try:
        df = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        report.problems.append(
            problem(
                "bad-csv",
                f"{path.name} is not a well-formed CSV table ({str(exc).strip()[:160]}).",
                "Check for stray quotes or a different number of commas on that line; re-export from your spreadsheet.",
            )
        )
        return None
    df.columns = [c.strip() for c in df.columns]
    return df


def _guess_encoding(raw: bytes) -> str | None:
    for enc, label in (
        ("cp949", "CP949 (Korean Excel)"),
        ("cp1252", "cp1252 (Western European Excel)"),
        ("cp1251", "cp1251 (Cyrillic)"),
    ):
        try:
            raw.decode(enc)
            return label
        except UnicodeDecodeError:
            continue
    return None


# -- checks ----------------------------------------------------------------------------------
def inspect_crs(gdf: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    xmin, ymin, xmax, ymax = gdf.total_bounds
    looks_lonlat = -180 <= xmin <= 180 and -180 <= xmax <= 180 and -90 <= ymin <= 90 and -90 <= ymax <= 90
    if gdf.crs is None:
        hint = (
            "the coordinates look like longitude/latitude, so gdf.set_crs('EPSG:4326') is probably right"
            if looks_lonlat
            else "the coordinates are in metres, so find the projection your GIS office uses (e.g. a UTM zone)"
        )
        report.problems.append(
            problem(
                "no-crs",
                "The boundaries have no coordinate reference system (CRS), so areas and distances cannot be measured.",
                f"Set it in QGIS (Layer > Set CRS) and export again, or in Python: gdf = gdf.set_crs(...); {hint}.",
            )
        )
    elif gdf.crs.is_geographic and not looks_lonlat:
        report.problems.append(
            problem(
                "crs-mislabelled",
                f"The file says its CRS is {gdf.crs.to_string()} (degrees), but the coordinates go up to {max(abs(xmax), abs(ymax)):,.0f}: they are in metres.",
                "The CRS label is wrong: set the real projected CRS with gdf.set_crs('EPSG:xxxx', allow_override=True), or fix it in your GIS and export again.",
            )
        )
    return gdf


def inspect_geometries(gdf: gpd.GeoDataFrame, key: str | None, report: Report) -> None:
    kinds = set(gdf.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        report.problems.append(
            problem(
                "not-polygons",
                f"The boundaries contain {sorted(kinds - {'Polygon', 'MultiPolygon'})} shapes, not only polygons.",
                "Keep only the district polygons (not points or lines) and export again.",
            )
        )
    missing = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing.any():
        ids = _ids(gdf, key, missing)
        report.problems.append(
            problem(
                "missing-shapes",
                f"{int(missing.sum())} district(s) have no shape.",
                "Draw or restore their polygons, or remove those rows.",
                ids,
            )
        )
    invalid = ~gdf.geometry.is_valid & ~missing
    if invalid.any():
        from shapely.validation import explain_validity

        first = explain_validity(gdf.geometry[invalid].iloc[0])
        report.problems.append(
            problem(
                "invalid-shapes",
                f"{int(invalid.sum())} district polygon(s) are invalid ({first}).",
                "Repair them: in QGIS 'Fix geometries', or in Python gdf.geometry = gdf.geometry.make_valid().",
                _ids(gdf, key, invalid),
            )
        )


def _ids(df: pd.DataFrame, key: str | None, mask) -> str:
    vals = df.loc[mask, key].astype(str).tolist() if key and key in df else [str(i) for i in df.index[mask]]
    return ", ".join(vals[:8]) + (" ..." if len(vals) > 8 else "")


def inspect_key(bounds: gpd.GeoDataFrame, table: pd.DataFrame, key: str, report: Report) -> bool:
    ok = True
    for name, df in (("boundaries", bounds), ("indicator table", table)):
        if key not in df.columns:
            close = difflib.get_close_matches(key, [str(c) for c in df.columns], n=1)
            report.problems.append(
                problem(
                    "no-key-column",
                    f"The {name} have no column {key!r}"
                    + (f" (did you mean {close[0]!r}?)" if close else "")
                    + f"; its columns are {list(df.columns)[:12]}.",
                    f"Rename the district ID column to {key!r} in both files, or pass key='<your column name>'.",
                )
            )
            ok = False
    if not ok:
        return False
    b = bounds[key].astype(str).str.strip()
    t = table[key].astype(str).str.strip()
    for name, s in (("boundaries", b), ("indicator table", t)):
        dup = s[s.duplicated()].unique().tolist()
        if dup:
            report.problems.append(
                problem(
                    "repeated-ids",
                    f"District IDs repeat in the {name}: {dup[:8]}.",
                    "Each district must appear once: merge or remove the repeated rows.",
                )
            )
            ok = False
    only_b, only_t = sorted(set(b) - set(t)), sorted(set(t) - set(b))
    if only_b or only_t:
        hint = ""
        import re

        def unpad(x: str) -> str:  # "D01" -> "D1", "0101" -> "101"
            return re.sub(r"(?:(?<=\D)|^)0+(?=\d)", "", x)

        stripped = {unpad(x) for x in only_b} & {unpad(x) for x in only_t}
        if stripped:
            hint = " The IDs differ only by leading zeros: a spreadsheet turned text codes into numbers. Store the ID column as text (in Excel: format the column as Text before pasting)."
        pairs = [
            f"{x!r}~{difflib.get_close_matches(x, only_t, n=1)[0]!r}"
            for x in only_b
            if difflib.get_close_matches(x, only_t, n=1)
        ]
        if pairs and not hint:
            hint = f" Similar IDs: {', '.join(pairs[:5])}: check spelling and spaces."
        report.problems.append(
            problem(
                "ids-do-not-match",
                f"The district IDs do not match: {len(only_b)} in the boundaries only {only_b[:6]}, {len(only_t)} in the table only {only_t[:6]}.",
                "Use the same ID for each district in both files." + hint,
            )
        )
        ok = False
    return ok


def inspect_numeric(table: pd.DataFrame, columns: Sequence[str], report: Report) -> pd.DataFrame:
    out = table.copy()
    for col in columns:
        if col not in table.columns:
            close = difflib.get_close_matches(col, list(table.columns), n=1)
            report.problems.append(
                problem(
                    "no-column",
                    f"The indicator table has no column {col!r}"
                    + (f" (did you mean {close[0]!r}?)" if close else "")
                    + ".",
                    f"Add the column {col!r}, or change the list of numeric columns you pass.",
                )
            )
            continue
        raw = table[col].astype(str).str.strip()
        nums = pd.to_numeric(raw.replace({"": np.nan}), errors="coerce")
        bad = nums.isna() & (raw != "")
        if bad.any():
            examples = raw[bad].unique().tolist()[:5]
            hint = ""
            if any("," in e for e in examples):
                hint += " Thousands separators (1,234) are text: remove them or format the cells as plain numbers."
            if any(e.lower() in {"n/a", "na", "-", "..", "none", "unknown"} for e in examples):
                hint += " Leave missing values empty instead of writing 'n/a' or '-'."
            report.problems.append(
                problem(
                    "not-numbers",
                    f"Column {col!r} should hold numbers, but {int(bad.sum())} cell(s) hold text: {examples}.",
                    "Correct those cells." + hint,
                    f"rows {', '.join(str(i + 2) for i in raw.index[bad][:8])} of the CSV",
                )
            )
        empty = int((raw == "").sum())
        if empty:
            report.notes.append(f"{col!r} has {empty} empty cell(s): they count as missing, not zero.")
        out[col] = nums
    return out


def validate(
    boundaries: str | Path,
    indicators: str | Path,
    key: str = "district_id",
    numeric: Sequence[str] = ("population",),
    encoding: str | None = None,
) -> Report:
    """Read and check both files; return a Report that lists every problem with its fix."""
    report = Report()
    gdf = read_boundaries(boundaries, report)
    table = read_indicators(indicators, report, encoding)
    if gdf is not None:
        gdf = inspect_crs(gdf, report)
        inspect_geometries(gdf, key, report)
    if table is not None:
        table = inspect_numeric(table, numeric, report)
    if gdf is not None and table is not None and inspect_key(gdf, table, key, report) and report.ok:
        gdf = gdf.assign(**{key: gdf[key].astype(str).str.strip()})
        table = table.assign(**{key: table[key].astype(str).str.strip()})
        report.joined = gdf.merge(table, on=key, how="left", suffixes=("", "_table"))
    report.boundaries, report.indicators = gdf, table
    return report


# -- the analysis (module 5, on your city) ---------------------------------------------------
def equity_table(
    joined: gpd.GeoDataFrame, need: str, supply: str, per: int = 1000, metric_crs: str | None = None
) -> gpd.GeoDataFrame:
    """Supply per ``per`` people in need (e.g. cooling centres per 1,000 residents aged 65+),
    density of need per km², and a flag for districts below half the city-wide rate."""
    gdf = joined.copy()
    metric = gdf.to_crs(metric_crs or gdf.estimate_utm_crs())
    gdf["area_km2"] = metric.geometry.area / 1e6
    gdf["need_per_km2"] = gdf[need] / gdf["area_km2"]
    gdf["supply_per_need"] = gdf[supply] / gdf[need] * per
    city_rate = gdf[supply].sum() / gdf[need].sum() * per
    gdf["under_served"] = gdf["supply_per_need"] < 0.5 * city_rate
    gdf.attrs["city_rate"] = city_rate
    return gdf


# -- a toy city to practise on ---------------------------------------------------------------
TOY_NAMES = [
    "Riverside",
    "Old Town",
    "Hillcrest",
    "Market",
    "Harbour",
    "Greenfield",
    "Station",
    "Lakeside",
    "North Gate",
]


def toy_city(seed: int = 7) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """A fictional 9-district city ('Hanbit') on a 3 x 3 grid near the equator, UTM metres."""
    rng = np.random.default_rng(seed)
    polys, ids = [], []
    size = 3000.0
    for r in range(3):
        for c in range(3):
            x0, y0 = 500000 + c * size, 100000 + r * size
            polys.append(Polygon([(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)]))
            ids.append(f"D{r * 3 + c + 1:02d}")
    gdf = gpd.GeoDataFrame({"district_id": ids, "name": TOY_NAMES}, geometry=polys, crs="EPSG:32637").to_crs(
        4326
    )
    pop = rng.integers(40_000, 160_000, 9)
    old = (pop * rng.uniform(0.06, 0.2, 9)).astype(int)
    # about 2 per 1,000 older residents, as in Seoul, but unevenly: two districts fall far behind
    uneven = np.array([1.2, 0.3, 1.0, 1.1, 0.9, 1.3, 0.4, 1.0, 1.5])
    centres = rng.poisson(old / 550 * uneven)
    table = pd.DataFrame(
        {
            "district_id": ids,
            "population": pop,
            "pop_65_plus": old,
            "cooling_centres": centres,
            "green_share": rng.uniform(0.03, 0.4, 9).round(3),
        }
    )
    return gdf, table


def write_toy_city(folder: str | Path, seed: int = 7) -> tuple[Path, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    gdf, table = toy_city(seed)
    b, t = folder / "boundaries.geojson", folder / "indicators.csv"
    from .data.build import geojson_bytes

    b.write_bytes(geojson_bytes(gdf, ndigits=6))
    table.to_csv(t, index=False, lineterminator="\n")
    return b, t


def write_broken_inputs(folder: str | Path) -> dict[str, tuple[Path, Path]]:
    """The usual ways real files go wrong, each as a (boundaries, indicators) pair."""
    folder = Path(folder)
    good_b, good_t = write_toy_city(folder / "good")
    gdf, table = toy_city()
    cases: dict[str, tuple[Path, Path]] = {}

    d = folder / "wrong_encoding"
    d.mkdir(parents=True, exist_ok=True)
    t = table.assign(name_local=["강서", "종로", "성북", "시장", "항구", "녹지", "역전", "호수", "북문"])
    (d / "indicators.csv").write_bytes(t.to_csv(index=False).encode("cp949"))
    cases["wrong_encoding"] = (good_b, d / "indicators.csv")

    d = folder / "missing_crs"
    d.mkdir(parents=True, exist_ok=True)
    metric = gdf.to_crs("EPSG:32637")
    (d / "boundaries.gpkg").unlink(missing_ok=True)
    import warnings

    with warnings.catch_warnings():  # the missing CRS is the point of this case
        warnings.simplefilter("ignore", UserWarning)
        metric.set_crs(None, allow_override=True).to_file(
            d / "boundaries.gpkg", driver="GPKG", engine="pyogrio"
        )
    cases["missing_crs"] = (d / "boundaries.gpkg", good_t)

    d = folder / "invalid_geometry"
    d.mkdir(parents=True, exist_ok=True)
    bad = gdf.copy()
    x0, y0, x1, y1 = bad.geometry.iloc[4].bounds
    bad.loc[4, "geometry"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])  # a bow-tie
    from .data.build import geojson_bytes

    (d / "boundaries.geojson").write_bytes(geojson_bytes(bad, ndigits=6))
    cases["invalid_geometry"] = (d / "boundaries.geojson", good_t)

    d = folder / "keys_do_not_match"
    d.mkdir(parents=True, exist_ok=True)
    t = table.copy()
    t["district_id"] = t["district_id"].str.replace("D0", "D", regex=False)  # D01 -> D1
    t.loc[8, "district_id"] = "North Gate"
    t.to_csv(d / "indicators.csv", index=False)
    cases["keys_do_not_match"] = (good_b, d / "indicators.csv")

    d = folder / "text_in_numeric"
    d.mkdir(parents=True, exist_ok=True)
    t = table.astype({"population": str})
    t.loc[2, "population"] = "1,234"
    t.loc[5, "population"] = "n/a"
    t.to_csv(d / "indicators.csv", index=False)
    cases["text_in_numeric"] = (good_b, d / "indicators.csv")
    return cases


# -- command line ----------------------------------------------------------------------------
@app.command("validate")
def validate_cmd(
    boundaries: Path = typer.Argument(..., help="District boundaries: GeoJSON or GeoPackage."),
    indicators: Path = typer.Argument(..., help="Indicator table: CSV with one row per district."),
    key: str = typer.Option("district_id", help="The district ID column, in both files."),
    numeric: list[str] = typer.Option(
        ["population"], "--numeric", help="A column that must hold numbers (repeatable)."
    ),
    encoding: str = typer.Option(None, help="The CSV's encoding if it is not UTF-8 (e.g. cp949)."),
) -> None:
    """Check your boundaries and indicator table; say exactly what to fix."""
    report = validate(boundaries, indicators, key=key, numeric=numeric, encoding=encoding)
    typer.echo(str(report))
    raise typer.Exit(0 if report.ok else 1)


@app.command("toy-city")
def toy_city_cmd(
    folder: Path = typer.Argument(Path("toy_city"), help="Where to write the toy city's two files."),
) -> None:
    """Write the fictional practice city (boundaries.geojson + indicators.csv)."""
    b, t = write_toy_city(folder)
    typer.echo(f"wrote {b} and {t}")
