"""What the text of modules 0 and 1 says about the data is what their notebooks compute.

Each test runs a notebook from a fresh kernel with one extra cell that reports its variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from smartseoul.testing import notebooks

MODULES = Path(__file__).resolve().parents[2] / "modules"
FOLDER = MODULES / "00-orientation"

def run_and_probe(path: Path, expression: str, timeout: int = 300) -> dict:
    return notebooks.probe(path, expression, timeout=timeout, default=str)


@pytest.mark.slow
@pytest.mark.xdist_group("module-00-claims")
def test_cleaning_loses_no_row_and_fixes_every_quirk():
    got = run_and_probe(
        FOLDER / "00b-cleaning-a-portal-file.ipynb",
        '{"lines": n_lines, "clean": len(trips), "aside": len(set_aside), "repaired": len(repaired),'
        ' "years": sorted(set(trips["returned_at"].dt.year) | set(trips["rented_at"].dt.year)),'
        ' "backslash_n": int((trips["birth_year"].astype(str) == "\\\\N").sum()),'
        ' "station_no_ok": bool(trips["rental_station_no"].str.fullmatch(r"\\d{5}").all()),'
        ' "bad_ids": int((trips["rental_station_id"].notna() & ~trips["rental_station_id"].astype(str).str.startswith("ST-")).sum()),'
        ' "dock_kind": str(trips["return_dock"].dtype)}',
    )
    assert got["lines"] == got["clean"] + got["aside"], got
    assert got["repaired"] >= 1 and got["aside"] >= 1, "the raw file's broken rows were not found"
    assert got["years"] == [2023], "the 2323 typo year is still there"
    assert got["backslash_n"] == 0
    assert got["station_no_ok"], "station numbers lost their leading zeros"
    assert got["bad_ids"] == 0
    assert got["dock_kind"] == "Int64"


@pytest.mark.slow
@pytest.mark.xdist_group("module-00-claims")
def test_hourly_profile_and_crs_claims_hold():
    got = run_and_probe(
        FOLDER / "00c-first-charts-and-maps.ipynb",
        '{"morning": int(morning), "evening": int(evening), "weekend": int(weekend_peak),'
        ' "agree": int(agree), "n_gu": len(gu), "east_west": float(east_west), "north_south": float(north_south),'
        ' "total_5179": float(total_5179), "official": float(areas["official_km2"].sum()),'
        ' "max_5179_vs_5186_km2": float((areas["EPSG5179_km2"] - areas["EPSG5186_km2"]).abs().max())}',
    )
    # the text: two weekday commuting peaks, one afternoon weekend peak
    assert 7 <= got["morning"] <= 9 and 17 <= got["evening"] <= 19, got
    assert 12 <= got["weekend"] <= 17, got
    assert got["agree"] == got["n_gu"] == 25
    # the text: a degree of longitude is shorter than a degree of latitude at Seoul's latitude
    assert 85 < got["east_west"] < 91 and 110 < got["north_south"] < 112
    # the text: projected areas add up to the official total; 5179 and 5186 agree closely
    assert abs(got["total_5179"] / got["official"] - 1) < 0.02
    assert got["max_5179_vs_5186_km2"] < 0.1


@pytest.mark.slow
@pytest.mark.xdist_group("module-01-claims")
def test_timeline_order_matches_the_text():
    got = run_and_probe(
        MODULES / "01-smart-city-initiatives" / "01a-seoul-smart-city-timeline.ipynb",
        '{"first": {str(k): int(v) for k, v in first.items()}, "secondary": int((timeline["status"] == "secondary").sum())}',
    )
    first = got["first"]
    # the text: governance and transport come first; sensing, connectivity and the digital twin from 2018-19
    assert first["governance"] == min(first.values())
    assert first["transport"] < first["open data"]
    for late in ("IoT/sensing", "connectivity", "digital twin"):
        assert first[late] >= 2018, (late, first[late])
    assert got["secondary"] >= 1, "the notebook lists the secondary facts"


@pytest.mark.slow
@pytest.mark.xdist_group("module-01-claims")
def test_sdot_detector_heat_and_noise_claims_hold():
    got = run_and_probe(
        MODULES / "01-smart-city-initiatives" / "01b-sensing-the-city-s-dot.ipynb",
        '{"scores": scores.to_dict(orient="index"), "drift_caught": float(caught),'
        ' "inside": len(joined), "sensors": len(sensors),'
        ' "humidity_flat_at_100": float(readings.loc[flat_runs(readings, "humidity_pct"), "humidity_pct"].eq(100).mean()),'
        ' "night_gap": float(night["commercial"] - night["park"]), "day_gap": float(day["commercial"] - day["park"]),'
        ' "quiet_hour": int(quiet_hour), "loud_hour": int(loud_hour), "candidates": len(candidates),'
        ' "dense_over_sparse": float(high["sensors_per_km2"] / low["sensors_per_km2"])}',
    )
    scores = got["scores"]
    # the text: simple rules catch stuck and glitching sensors well ...
    for rule in ("flat", "spike"):
        assert scores[rule]["precision"] >= 0.9 and scores[rule]["recall"] >= 0.9, (rule, scores[rule])
    assert scores["gap (by sensor)"]["recall"] >= 0.9
    # ... but miss drift
    assert got["drift_caught"] < 0.2
    # the text: most flat humidity runs are a saturated 100 %, not a fault
    assert got["humidity_flat_at_100"] > 0.5
    assert got["inside"] == got["sensors"]
    assert got["dense_over_sparse"] > 2, "the text calls the network deliberately uneven"
    # the text: the heat island is strongest at night; noise is lowest before dawn
    assert got["night_gap"] > got["day_gap"] > 0
    assert 0 <= got["quiet_hour"] <= 5 and 7 <= got["loud_hour"] <= 22
    assert got["candidates"] >= 1, "the policy lens names at least one district"
