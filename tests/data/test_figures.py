"""Each resource declares the figure the book's data catalogue draws of it, the declared columns
exist in the data, and the catalogue draws what is declared or says which resource is wrong."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from smartseoul import data
from smartseoul.book import catalogue
from smartseoul.data import definitions
from smartseoul.data.definitions import DefinitionError

ROOT = Path(__file__).resolve().parents[2]
PKG = json.loads((ROOT / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PKG["resources"]}
WEATHER = (definitions.FOLDER / "weather.yaml").read_text(encoding="utf-8")
FIGURE = "  figure: {kind: line, x: date, y: temp_mean_c, stat: mean}"


def columns_in_file(r: dict) -> set[str]:
    """The column names of a resource's file, read from its header only."""
    path = ROOT / "datasets" / r["path"]
    if r["format"] == "parquet":
        return set(pq.read_schema(path).names)
    if r["format"] == "geojson":
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        return set(features[0]["properties"]) | {"geometry"}
    with open(path, encoding=r["encoding"], newline="") as fh:
        return set(next(csv.reader(fh)))


def missing_columns(figure: dict, columns: set[str]) -> list[str]:
    return [figure[key] for key in definitions.FIGURE_COLUMNS if key in figure and figure[key] not in columns]


@pytest.mark.parametrize("name", RESOURCES, ids=str)
def test_every_resource_declares_a_figure(name):
    figure = definitions.figure(RESOURCES[name]["dataset"], name)
    assert figure["kind"] in definitions.FIGURES
    if RESOURCES[name]["role"] != "clean":
        assert figure["kind"] == "none", f"{name}: only clean resources have a figure in the catalogue"


@pytest.mark.parametrize("name", RESOURCES, ids=str)
def test_every_declared_figure_column_exists_in_the_data(name):
    r = RESOURCES[name]
    figure = definitions.figure(r["dataset"], name)
    if figure["kind"] != "none":
        assert missing_columns(figure, columns_in_file(r)) == [], (
            f"{name}: fix 'figure' in {r['dataset']}.yaml"
        )


def test_the_column_check_finds_a_planted_column():
    r = RESOURCES["weather_daily"]
    assert missing_columns({"kind": "hist", "column": "temp_mean_c"}, columns_in_file(r)) == []
    assert missing_columns(
        {"kind": "line", "x": "date", "y": "snow_cm", "stat": "sum"}, columns_in_file(r)
    ) == ["snow_cm"]


PLANTED = [
    ("an unknown kind", "  figure: {kind: pie, column: rain_mm}", "figure needs a kind, one of"),
    (
        "a line without its statistic",
        "  figure: {kind: line, x: date, y: temp_mean_c}",
        "a line figure needs 'stat'",
    ),
    (
        "a key the kind does not take",
        "  figure: {kind: hist, column: rain_mm, by: date}",
        "a hist figure takes no 'by'",
    ),
    (
        "a statistic we do not draw",
        "  figure: {kind: bar, column: rain_mm, by: is_rainy, stat: max}",
        "stat 'max'",
    ),
    (
        "a column that is no field",
        "  figure: {kind: hist, column: snow_cm}",
        "figure column 'snow_cm' is not a field",
    ),
    ("no figure at all", "", "missing 'figure'"),
]


@pytest.mark.parametrize(("line", "message"), [p[1:] for p in PLANTED], ids=[p[0] for p in PLANTED])
def test_a_broken_figure_declaration_is_refused(tmp_path, line, message):
    assert WEATHER.count(FIGURE + "\n") == 1
    (tmp_path / "weather.yaml").write_text(
        WEATHER.replace(FIGURE + "\n", line + "\n" if line else ""), "utf-8"
    )
    with pytest.raises(
        DefinitionError, match=r"weather\.yaml, resource 'weather_daily': .*" + re.escape(message)
    ):
        definitions.read("weather", tmp_path)


def test_the_catalogue_draws_what_is_declared(tmp_path):
    r = RESOURCES["weather_daily"]
    df = data.load("weather_daily")
    declared = definitions.figure("weather", "weather_daily")
    line = catalogue.draw_figure(r, declared, df, tmp_path / "line.png")
    assert line is not None and line.alt.startswith(
        "Line chart of the weekly mean of temp_mean_c (°C) in weather_daily"
    )
    hist = catalogue.draw_figure(r, {"kind": "hist", "column": "rain_mm"}, df, tmp_path / "hist.png")
    assert hist is not None and hist.alt.startswith(
        "Histogram of rain_mm (mm) over the 1,826 rows of weather_daily"
    )
    assert (tmp_path / "line.png").stat().st_size and (tmp_path / "hist.png").stat().st_size
    assert catalogue.draw_figure(r, {"kind": "none"}, df, tmp_path / "none.png") is None


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        (
            {"kind": "hist", "column": "snow_cm"},
            "the hist figure declared for weather_daily (in weather.yaml) needs the column(s) ['snow_cm']",
        ),
        (
            {"kind": "map", "column": "rain_mm"},
            "the map figure declared for weather_daily (in weather.yaml) needs the column(s) ['geometry']",
        ),
        (
            {"kind": "line", "x": "rain_mm", "y": "temp_mean_c", "stat": "mean"},
            "runs along 'rain_mm', which holds no dates or times",
        ),
    ],
    ids=["a column the data lack", "a map without geometry", "a line along no time"],
)
def test_the_catalogue_names_the_resource_whose_figure_cannot_be_drawn(tmp_path, figure, message):
    df = data.load("weather_daily")
    with pytest.raises(catalogue.FigureError, match=re.escape(message)):
        catalogue.draw_figure(RESOURCES["weather_daily"], figure, df, tmp_path / "x.png")
