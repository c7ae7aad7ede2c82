"""Module 4 (implementation and trends): the bundled Open API answers have the documented layout,
the notebook's API reader pages correctly and fails loudly on every error answer, and the traffic
patterns the narrative describes hold in the data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from smartseoul import data

MODULE = Path(__file__).resolve().parents[2] / "modules" / "04-implementation-and-trends"
SAMPLES = MODULE / "api_samples"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_sample_answers_follow_the_open_api_layout():
    pages = sorted((SAMPLES / "bikeList").glob("*_*.json"))
    ok = [p for p in pages if "RESULT" not in _load(p)]
    assert len(ok) >= 3, "need several pages to teach paging"
    total = sum(len(_load(p)["rentBikeStatus"]["row"]) for p in ok)
    for p in ok:
        body = _load(p)["rentBikeStatus"]
        start, end = (int(x) for x in p.stem.split("_"))
        assert body["RESULT"]["CODE"] == "INFO-000"
        assert body["list_total_count"] == total, "list_total_count is the total over all pages"
        assert len(body["row"]) == min(end, total) - start + 1 <= 1000
        assert set(body["row"][0]) >= {"stationId", "stationName", "rackTotCnt", "parkingBikeTotCnt", "shared",
                                       "stationLatitude", "stationLongitude"}
    errors = [_load(p) for p in (SAMPLES / "errors").glob("*.json")] + [_load(p) for p in pages if "RESULT" in _load(p)]
    codes = {e["RESULT"]["CODE"] for e in errors}
    assert {"INFO-200", "INFO-100", "ERROR-500", "ERROR-336"} <= codes
    assert "illustrative" in (SAMPLES / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def reader(monkeypatch):
    """The notebook's own reader: run its code cells up to read_all, in the notebook's folder."""
    import matplotlib

    matplotlib.use("Agg")
    nb = nbformat.read(MODULE / "04b-open-api-and-privacy.ipynb", as_version=4)
    monkeypatch.chdir(MODULE)
    ns: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "04b", "exec"), ns)  # noqa: S102 (our own notebook)
            if "def read_all" in cell.source:
                return ns
    raise AssertionError("04b defines no read_all")


def test_reader_pages_through_every_row(reader):
    df = reader["read_all"]("bikeList")
    total = _load(SAMPLES / "bikeList" / "1_1000.json")["rentBikeStatus"]["list_total_count"]
    assert len(df) == total and df["stationId"].is_unique


@pytest.mark.parametrize("code", ["INFO-100", "ERROR-500"])
def test_reader_raises_a_clear_error_on_error_answers(reader, code):
    with pytest.raises(reader["OpenAPIError"]) as err:
        reader["read_response"](_load(SAMPLES / "errors" / f"{code}.json"))
    assert code in str(err.value) and "->" in str(err.value), "the message names the code and what to do next"


def test_reader_treats_no_data_as_empty_and_refuses_big_pages(reader):
    assert reader["read_response"](_load(SAMPLES / "errors" / "INFO-200.json")) == (0, [])
    with pytest.raises(reader["OpenAPIError"], match="ERROR-336"):
        reader["read_response"](reader["fetch"]("bikeList", 1, 2000))
    with pytest.raises(ValueError, match="1,000"):
        reader["read_all"]("bikeList", page_size=2000)
    with pytest.raises(FileNotFoundError, match="Bundled requests"):
        reader["fetch"]("bikeList", 1, 500)


def test_reader_notices_a_short_read(reader, tmp_path):
    """If a page comes back with fewer rows than list_total_count promised, say so."""
    shutil.copytree(SAMPLES, tmp_path / "api_samples")
    page = tmp_path / "api_samples" / "bikeList" / "1001_2000.json"
    answer = _load(page)
    answer["rentBikeStatus"]["row"] = answer["rentBikeStatus"]["row"][:10]
    page.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    reader["SAMPLES"] = tmp_path / "api_samples"
    with pytest.raises(reader["OpenAPIError"], match="Expected"):
        reader["read_all"]("bikeList")


def test_traffic_patterns_in_the_narrative_hold():
    speeds = data.load("traffic_speed_hourly")
    t = speeds["datetime"].dt.tz_localize(None)
    art = speeds[speeds["road_type"] != "urban_expressway"]
    ta = art["datetime"].dt.tz_localize(None)
    grid = art.groupby([ta.dt.day_name().str[:3], ta.dt.hour])["speed_kmh"].mean()
    day, hour = grid.idxmin()
    assert day == "Fri" and 17 <= hour <= 19, "4a says Friday evening is the slowest time of the week"
    weather = data.load("weather_hourly")[["datetime", "rain_mm"]]
    wet = speeds.merge(weather, on="datetime")
    by = wet.groupby(["road_type", wet["rain_mm"] >= 1.0], observed=True)["speed_kmh"].mean().unstack()
    assert (by[True] < by[False]).all(), "4a says rain slows every road type"
    assert t.dt.year.nunique() == 2


def test_masked_cells_can_leak_through_the_total():
    """4b's differencing lesson needs rows with exactly one masked band (else the demo is empty)."""
    import pandas as pd

    raw = pd.read_csv(data.raw_path("living_population_raw"), encoding="cp949", dtype=str)
    bands = [c for c in raw.columns if c.endswith("생활인구수") and c != "총생활인구수"]
    single = ((raw[bands] == "*").sum(axis=1) == 1).sum()
    assert single > 0 and (raw["총생활인구수"] != "*").all()
