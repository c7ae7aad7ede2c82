"""Dataset definitions as data: every published resource has a YAML definition, and a broken
definition stops the build with a message that names the dataset, the resource and the field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from smartseoul.data import definitions
from smartseoul.data.build import generate
from smartseoul.data.definitions import DefinitionError

ROOT = Path(__file__).resolve().parents[2]
PKG = json.loads((ROOT / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
WEATHER = (definitions.FOLDER / "weather.yaml").read_text(encoding="utf-8")


def coverage_problems(resources: list[dict], folder: Path | None = None) -> list[str]:
    """Published resources without a definition, and definitions no generator publishes."""
    defined = {(ds, name) for ds in definitions.datasets(folder) for name in definitions.read(ds, folder)}
    published = {(r["dataset"], r["name"]) for r in resources}
    return [f"{ds}/{name} has no definition" for ds, name in sorted(published - defined)] + [
        f"{ds}/{name} is defined but not published" for ds, name in sorted(defined - published)
    ]


def planted(tmp_path: Path, text: str, dataset: str = "weather") -> Path:
    """A definitions folder holding one (edited) file."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / f"{dataset}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the edit must hit exactly once: {old!r}"
    return text.replace(old, new)


def test_every_published_resource_has_a_definition_and_no_more():
    assert coverage_problems(PKG["resources"]) == []


def test_the_coverage_check_finds_a_missing_and_an_extra_definition(tmp_path):
    folder = planted(tmp_path, WEATHER)
    published = [r for r in PKG["resources"] if r["dataset"] == "weather"]
    assert coverage_problems(published, folder) == []
    extra = {"dataset": "weather", "name": "weather_monthly"}
    assert coverage_problems(published + [extra], folder) == ["weather/weather_monthly has no definition"]
    assert coverage_problems(published[:1], folder) == ["weather/weather_hourly is defined but not published"]


@pytest.mark.parametrize("dataset", definitions.datasets())
def test_every_definition_file_reads(dataset):
    assert definitions.read(dataset)


# (what is planted, the edit to weather.yaml, what the message must say)
PLANTED = [
    (
        "a field without a description",
        ("        description: Daily minimum air temperature.\n", ""),
        "weather.yaml, resource 'weather_daily', field 'temp_min_c': no description",
    ),
    (
        "an unknown field type",
        ("      - name: temp_max_c\n        type: number", "      - name: temp_max_c\n        type: float"),
        "weather.yaml, resource 'weather_daily', field 'temp_max_c': type 'float' is not one of",
    ),
    (
        "a misspelt field key",
        ("        name_ko: 일강수량(mm)", "        name_kr: 일강수량(mm)"),
        "weather.yaml, resource 'weather_daily', field 'rain_mm': unknown key 'name_kr'",
    ),
    (
        "a resource without a title",
        ("  title: Hourly weather in Seoul, 2019-2023 (synthetic)\n", ""),
        "weather.yaml, resource 'weather_hourly': missing 'title'",
    ),
    (
        "a misspelt resource key",
        (
            "  provenance: synthetic\n  imitates: 기상청 종관기상관측(ASOS) 서울(108) 시간자료",
            "  provenance: synthetic\n  imitate: x\n  imitates: 기상청 종관기상관측(ASOS) 서울(108) 시간자료",
        ),
        "weather.yaml, resource 'weather_hourly': unknown key 'imitate'",
    ),
    (
        "a provenance outside the allowed set",
        ("  format: csv\n  provenance: synthetic", "  format: csv\n  provenance: invented"),
        "weather.yaml, resource 'weather_daily': provenance 'invented' is not one of",
    ),
    (
        "a primary key naming no field",
        ("    primary_key: [datetime]", "    primary_key: [hour]"),
        "weather.yaml, resource 'weather_hourly': primary key ['hour'] names no field",
    ),
    (
        "an unknown shared constant",
        ("  sources: &sources\n", "  sources: &sources\n    - !spec NO_SUCH_SOURCE\n"),
        "weather.yaml: !spec NO_SUCH_SOURCE: unknown",
    ),
]


@pytest.mark.parametrize(("edit_", "message"), [p[1:] for p in PLANTED], ids=[p[0] for p in PLANTED])
def test_a_broken_definition_is_refused_with_a_clear_message(tmp_path, edit_, message):
    folder = planted(tmp_path, edit(WEATHER, *edit_))
    with pytest.raises(DefinitionError, match=re.escape(message)):
        definitions.read("weather", folder)


IS_RAINY = (
    "      - name: is_rainy\n        type: boolean\n"
    "        description: True when at least 1 mm fell (the course's 'rainy day').\n"
)
SNOW = "      - name: snow_cm\n        type: number\n        description: Fresh snow.\n"


@pytest.mark.parametrize(
    ("weather_yaml", "message"),
    [
        (
            edit(WEATHER, IS_RAINY, SNOW + IS_RAINY),
            "weather.yaml, resource 'weather_daily': field(s) ['snow_cm'] are defined, but the data have no such column",
        ),
        (
            edit(WEATHER, IS_RAINY, ""),
            "weather.yaml, resource 'weather_daily': the data have column(s) ['is_rainy'] that no field describes",
        ),
    ],
    ids=["a field the data lack", "a column no field describes"],
)
def test_the_build_stops_when_a_definition_and_the_data_disagree(
    tmp_path, monkeypatch, weather_yaml, message
):
    monkeypatch.setattr(definitions, "FOLDER", planted(tmp_path / "definitions", weather_yaml))
    with pytest.raises(DefinitionError, match=re.escape(message)):
        generate(tmp_path / "out", only=["weather"])


def test_raw_files_are_checked_against_their_header_merged_headings_included(tmp_path):
    """bike_stations_raw spreads its headings over two rows (자치구 sits under 소재지(위치))."""
    raw = (ROOT / "datasets" / "bikes" / "bike_stations_raw_2306.csv").read_bytes()
    definitions.check_data(definitions.resource("bike_stations", "bike_stations_raw"), raw)
    text = (definitions.FOLDER / "bike_stations.yaml").read_text(encoding="utf-8")
    folder = planted(
        tmp_path, edit(text, "      - name: 상세주소\n", "      - name: 상세 주소\n"), "bike_stations"
    )
    with pytest.raises(
        DefinitionError,
        match=re.escape(
            "bike_stations.yaml, resource 'bike_stations_raw': field(s) ['상세 주소'] are defined"
        ),
    ):
        definitions.check_data(definitions.resource("bike_stations", "bike_stations_raw", folder=folder), raw)


def test_computed_fields_must_be_given_exactly():
    with pytest.raises(
        DefinitionError,
        match=re.escape(
            "subway.yaml, resource 'subway_ridership_raw': the generator must pass computed_fields 'hour_slots'"
        ),
    ):
        definitions.resource("subway", "subway_ridership_raw")
    with pytest.raises(
        DefinitionError, match=re.escape("computed fields ['hours'] have no 'computed' entry")
    ):
        definitions.resource("subway", "subway_ridership_raw", {"hour_slots": [], "hours": []})


def test_an_unknown_resource_or_dataset_is_named():
    with pytest.raises(DefinitionError, match=re.escape("weather.yaml has no resource 'weather_monthly'")):
        definitions.resource("weather", "weather_monthly")
    with pytest.raises(
        DefinitionError, match=re.escape("dataset 'snow' has no definitions: snow.yaml is missing")
    ):
        definitions.read("snow")


STATIONS = (definitions.FOLDER / "bike_stations.yaml").read_text(encoding="utf-8")
BLANK_ROW = "    - error: blank-row\n      rows: [3, 4, 5]\n"

# (what is planted, the edit to bike_stations.yaml, what the message must say)
PLANTED_QUIRKS = [
    (
        "an error frictionless does not report",
        (BLANK_ROW, "    - error: blank-rows\n      rows: [3, 4, 5]\n"),
        "quirk error 'blank-rows' is not one of",
    ),
    (
        "a quirk without a place",
        (BLANK_ROW, "    - error: blank-row\n"),
        "quirk 'blank-row' says neither where (rows) nor in which fields it occurs",
    ),
    (
        "a row numbered from 0",
        (BLANK_ROW, "    - error: blank-row\n      rows: [0, 3, 4, 5]\n"),
        "quirk 'blank-row': rows must be numbers from 1",
    ),
    (
        "a quirk without a description",
        (
            "      description: Rows 3-5 stand for the merged cells of the portal's 5-row heading and are empty.\n",
            "",
        ),
        "quirk 'blank-row' has no description",
    ),
    (
        "a misspelt dialect key",
        ("    header: false\n", "    headers: false\n"),
        "unknown dialect key 'headers'",
    ),
    (
        "quirks on a clean resource",
        (
            "bike_stations:\n",
            "bike_stations:\n  quirks:\n    - {error: blank-row, rows: [2], description: An empty row.}\n",
        ),
        "bike_stations.yaml, resource 'bike_stations': only a raw file keeps quirks",
    ),
]


@pytest.mark.parametrize(
    ("edit_", "message"), [p[1:] for p in PLANTED_QUIRKS], ids=[p[0] for p in PLANTED_QUIRKS]
)
def test_a_broken_dialect_or_quirk_is_refused_with_a_clear_message(tmp_path, edit_, message):
    folder = planted(tmp_path, edit(STATIONS, *edit_), "bike_stations")
    with pytest.raises(DefinitionError, match=re.escape(message)):
        definitions.read("bike_stations", folder)


def test_computed_quirk_rows_must_be_given_exactly_and_are_skipped_by_the_dialect():
    fields = {"raw_columns": []}
    with pytest.raises(
        DefinitionError,
        match=re.escape(
            "bike_rentals.yaml, resource 'bike_rentals_raw': the generator must pass quirk_rows 'extra-cell'"
        ),
    ):
        definitions.resource("bike_rentals", "bike_rentals_raw", fields)
    rows = {"extra-cell": [9, 7], "missing-cell": [3]}
    with pytest.raises(DefinitionError, match=re.escape("quirk rows ['blank-row'] have no 'rows: computed'")):
        definitions.resource(
            "bike_rentals", "bike_rentals_raw", fields, quirk_rows={**rows, "blank-row": [2]}
        )
    made = definitions.resource("bike_rentals", "bike_rentals_raw", fields, quirk_rows=rows)
    assert [q["rows"] for q in made.quirks] == [[7, 9], [3]]
    assert made.descriptor()["dialect"] == {"commentRows": [3, 7, 9]}
    stations = definitions.resource("bike_stations", "bike_stations_raw").descriptor()
    assert stations["dialect"] == {"header": False, "commentRows": [1, 2, 3, 4, 5]}
