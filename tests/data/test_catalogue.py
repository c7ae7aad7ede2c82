"""The catalogue as a whole: metadata, validation, sizes, and messages for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from smartseoul import data
from smartseoul.data.build import DEFAULT_SEED, UserDataChanged, builders, file_sha256, generate
from smartseoul.data.spec import size_key

ROOT = Path(__file__).resolve().parents[2]

PKG = json.loads((ROOT / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = PKG["resources"]
LOADABLE = [r["name"] for r in RESOURCES if r["role"] != "raw"]


def test_every_generator_has_its_resources_in_the_package():
    made = {r["dataset"] for r in RESOURCES}
    assert set(builders()) <= made, f"datasets never generated: {set(builders()) - made}"


@pytest.mark.parametrize("r", RESOURCES, ids=lambda r: r["name"])
def test_resource_metadata_is_complete(r):
    for key in (
        "title",
        "description",
        "path",
        "format",
        "provenance",
        "licenses",
        "sources",
        "hash",
        size_key(r["format"]),
    ):
        assert r.get(key), f"{r['name']} lacks {key}"
    assert "bytes" not in r or r["format"] != "parquet", "frictionless cannot count a Parquet file's bytes"
    assert r["provenance"] in {"synthetic", "factual", "derived"}
    assert r["synthetic"] == (r["provenance"] == "synthetic")
    if r["provenance"] == "synthetic":
        assert r.get("imitates"), f"{r['name']}: a synthetic resource must say which real dataset it imitates"
    fields = r.get("schema", {}).get("fields", [])
    if r["format"] != "json":
        assert fields, f"{r['name']} has no field descriptions"
    for f in fields:
        assert f.get("description"), f"{r['name']}.{f['name']} has no description"
    assert file_sha256(ROOT / "datasets" / r["path"]) == r["hash"].removeprefix("sha256:"), (
        f"{r['path']} does not match datapackage.json: regenerate with smartseoul data generate --only {r['dataset']}"
    )


def test_committed_data_stay_under_60_mb():
    total = sum((ROOT / "datasets" / r["path"]).stat().st_size for r in RESOURCES)
    assert total < 60e6, f"datasets/ holds {total / 1e6:.1f} MB"


def test_datapackage_descriptor_is_valid_frictionless():
    from frictionless import Package

    errors = [e.note for e in Package.metadata_validate(PKG)]
    assert not errors, errors[:5]
    pkg = Package(str(ROOT / "datasets" / "datapackage.json"))
    assert {r.name for r in pkg.resources} == {r["name"] for r in RESOURCES}
    broken = json.loads(json.dumps(PKG))
    broken["resources"][0]["name"] = "Not A Valid Name!"
    assert list(Package.metadata_validate(broken)), "the validator must be able to fail"


@pytest.mark.parametrize("name", LOADABLE, ids=str)
def test_every_resource_loads_typed_and_valid(name):
    df = data.load(name)  # validates against the schema
    assert len(df) > 0
    sch = data.describe(name)
    for f in sch.itertuples():
        if f.type == "datetime":
            assert str(df[f.field].dt.tz) == "Asia/Seoul", f"{name}.{f.field} is not in Asia/Seoul"
        if f.type == "string" and f.field in df.columns:
            assert not pd.api.types.is_numeric_dtype(df[f.field]), f"{name}.{f.field}: codes must stay text"


def test_catalog_and_describe():
    cat = data.catalog()
    assert set(cat["name"]) == {r["name"] for r in RESOURCES}
    d = data.describe("districts")
    assert list(d.columns) == ["field", "name_ko", "type", "unit", "description"]
    assert "gu_code" in set(d["field"])


def test_unknown_name_suggests_the_closest():
    with pytest.raises(data.UnknownDataset) as exc:
        data.load("distrits")
    msg = str(exc.value)
    assert "'districts'" in msg and "Available" in msg


def test_missing_file_names_the_regenerate_command(datasets_copy):
    (datasets_copy / "weather" / "weather_daily.csv").unlink()
    with pytest.raises(data.MissingDataset) as exc:
        data.load("weather_daily", root=datasets_copy)
    assert "smartseoul data generate --only weather" in str(exc.value)


def test_altered_file_fails_its_checksum(datasets_copy):
    f = datasets_copy / "weather" / "weather_daily.csv"
    f.write_text(f.read_text(encoding="utf-8").replace(",", ";", 3), encoding="utf-8")
    with pytest.raises(data.ChecksumMismatch) as exc:
        data.load("weather_daily", root=datasets_copy)
    assert "--only weather --force" in str(exc.value)


def test_raw_files_are_reached_by_path_not_load():
    raw = [r["name"] for r in RESOURCES if r["role"] == "raw"]
    if not raw:
        pytest.skip("no raw resource yet")
    with pytest.raises(ValueError, match="raw_path"):
        data.load(raw[0])
    assert data.raw_path(raw[0]).exists()


def test_generate_never_overwrites_edited_files(datasets_copy):
    f = datasets_copy / "weather" / "weather_daily.csv"
    f.write_text("my own notes\n", encoding="utf-8")
    with pytest.raises(UserDataChanged, match="--force"):
        generate(datasets_copy, only=["weather"])
    assert f.read_text(encoding="utf-8") == "my own notes\n"  # nothing lost
    generate(datasets_copy, only=["weather"], force=True)
    assert file_sha256(f) == next(r for r in RESOURCES if r["name"] == "weather_daily")["hash"].removeprefix(
        "sha256:"
    )


def test_another_seed_gives_other_synthetic_values(tmp_path):
    generate(tmp_path, seed=DEFAULT_SEED + 1, only=["weather"])
    other = file_sha256(tmp_path / "weather" / "weather_daily.csv")
    assert other != next(r for r in RESOURCES if r["name"] == "weather_daily")["hash"].removeprefix("sha256:")


@pytest.mark.slow
@pytest.mark.xdist_group("regenerate")
def test_regenerating_gives_byte_identical_files(tmp_path):
    """The committed files are exactly what the generators make from the course seed."""
    pkg = generate(tmp_path, seed=PKG.get("seed", DEFAULT_SEED))
    fresh = {r["name"]: r["hash"] for r in pkg["resources"]}
    committed = {r["name"]: r["hash"] for r in RESOURCES}
    assert fresh.keys() == committed.keys()
    changed = sorted(n for n in fresh if fresh[n] != committed[n])
    assert not changed, f"regenerated files differ from the committed ones: {changed}"


def test_geojson_resources_validate_and_declare_features_not_rows():
    """Frictionless counts the rows of what it reads, and reads no GeoJSON rows: a declared
    `rows` fails it ("row-count"), so GeoJSON resources declare `features`."""
    from frictionless import Package

    pkg = Package(str(ROOT / "datasets" / "datapackage.json"))
    geo = [r for r in RESOURCES if r["format"] == "geojson"]
    assert geo and all("rows" not in r and r["features"] > 0 for r in geo)
    for r in geo:
        report = pkg.get_resource(r["name"]).validate()
        assert report.valid, report.flatten(["type", "note"])[:3]
    planted = json.loads(json.dumps(geo[0]))
    planted["rows"] = planted.pop("features")
    from frictionless import Resource

    report = Resource(planted, basepath=str(ROOT / "datasets")).validate()
    assert [e[0] for e in report.flatten(["type"])] == ["row-count"]
