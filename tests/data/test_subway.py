"""subway: COVID drop and recovery, hourly peaks, busiest and quietest stations, system totals."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon

from smartseoul import data
from smartseoul.data import city


@pytest.fixture(scope="module")
def rides():
    d = data.load("subway_ridership")
    d["ba"] = d["boardings"] + d["alightings"]
    return d


@pytest.fixture(scope="module")
def stations():
    return data.load("subway_stations")


def per_day(d: pd.DataFrame, year: int) -> pd.Series:
    days = 366 if year % 4 == 0 else 365
    return d[d["month"].dt.year == year].groupby(["line", "station"], observed=True)["ba"].sum() / days


def test_shape_lines_and_real_names(rides, stations):
    assert set(rides["line"].astype(str)) == {f"{i}호선" for i in range(1, 10)}
    assert 300 <= len(stations) <= 340
    assert rides["month"].min() == pd.Timestamp("2019-01-01") and rides["month"].max() == pd.Timestamp(
        "2023-12-01"
    )
    assert len(rides) == 60 * len(stations) * 24
    for name in ("강남", "잠실", "홍대입구", "서울역", "도림천", "둔촌오륜", "여의도", "고속터미널"):
        assert name in set(stations["station"].astype(str))
    # transfer stations appear once per line
    assert stations.duplicated(["line", "station"]).sum() == 0
    assert set(stations.loc[stations["station"] == "고속터미널", "line"].astype(str)) == {
        "3호선",
        "7호선",
        "9호선",
    }


def test_stations_lie_in_seoul_near_their_gu(stations):
    outline = Polygon(city.OUTLINE)
    pts = gpd.points_from_xy(stations["lon"], stations["lat"])
    assert all(outline.contains(p) for p in pts)
    gu = data.load("districts").set_index("gu_code").to_crs(city.CRS_METRIC)
    g = gpd.GeoSeries(pts, crs=city.CRS_WGS84).to_crs(city.CRS_METRIC)
    dist = np.array([gu.loc[c, "geometry"].distance(p) for c, p in zip(stations["gu_code"], g)])
    assert np.median(dist) == 0 and dist.max() < 1500  # approximate polygons, border stations


def test_covid_drop_and_partial_recovery(rides):
    year = rides.groupby(rides["month"].dt.year)["ba"].sum()
    assert 0.65 < year[2020] / year[2019] < 0.88
    assert min(year[2020], year[2021]) < year[2022] < year[2023] < year[2019]
    m = rides.groupby("month")["ba"].sum()
    # March 2020 (first distancing) is far below March 2019
    assert m[pd.Timestamp("2020-03-01")] / m[pd.Timestamp("2019-03-01")] < 0.85


def test_office_stations_fall_further(rides, stations):
    d = rides.merge(stations[["line", "station", "business_share"]], on=["line", "station"])
    office = d["business_share"] > 0.6
    y = d["month"].dt.year
    ratio = lambda m: d.loc[m & (y == 2020), "ba"].sum() / d.loc[m & (y == 2019), "ba"].sum()  # noqa: E731
    assert ratio(office) < ratio(~office) - 0.05


def test_evening_peak_18_19(rides):
    h = rides[rides["month"].dt.year == 2019].groupby("hour")[["boardings", "alightings", "ba"]].sum()
    assert h["ba"].idxmax() == 18
    assert h["ba"].loc[8] == h["ba"].loc[5:12].max()  # the morning peak is 08-09
    assert h["ba"].loc[[2, 3]].sum() == 0  # no service in the small hours


def test_office_areas_alight_in_the_morning_and_board_in_the_evening(rides, stations):
    office = stations.loc[stations["business_share"] > 0.6, ["line", "station"]]
    d = rides.merge(office, on=["line", "station"])
    h = d.groupby("hour")[["boardings", "alightings"]].sum()
    assert h["alightings"].loc[5:12].idxmax() == 8 and h["boardings"].idxmax() == 18
    home = stations.loc[stations["business_share"] < 0.4, ["line", "station"]]
    h2 = rides.merge(home, on=["line", "station"]).groupby("hour")[["boardings", "alightings"]].sum()
    assert h2["boardings"].loc[5:12].idxmax() in (7, 8) and h2["alightings"].idxmax() in (18, 19)


def test_busiest_and_quietest_stations(rides):
    s19, s23 = per_day(rides, 2019), per_day(rides, 2023)
    top3 = {("2호선", "잠실"), ("2호선", "강남"), ("2호선", "홍대입구")}
    assert set(s19.nlargest(3).index) == top3 and set(s23.nlargest(3).index) == top3
    assert s19.idxmax() == ("2호선", "강남") and s23.idxmax() == ("2호선", "잠실")  # 강남 led until 2022
    assert 140_000 < s19.max() < 175_000
    next4 = {("2호선", "구로디지털단지"), ("1호선", "서울역"), ("2호선", "신림"), ("2호선", "삼성")}
    assert set(s19.nlargest(7).index[3:]) == next4
    assert all(90_000 < s19[k] < 115_000 for k in next4)
    assert s19.idxmin() == ("9호선", "둔촌오륜") and 1_000 < s19.min() < 2_000
    assert s19.nsmallest(2).index[1] == ("2호선", "도림천") and s19.nsmallest(2).iloc[1] < 3_000


def test_system_totals(rides, stations):
    s19 = per_day(rides, 2019).rename("ba").reset_index().merge(stations[["line", "station", "operator"]])
    metro = s19.loc[s19["operator"] == "Seoul Metro", "ba"].sum()
    assert 6.0e6 < metro < 7.2e6  # Seoul Metro lines 1-8: about 6.6M a day
    assert 8.0e6 < s19["ba"].sum() < 9.5e6  # lines 1-9 inside Seoul: about 8.8M a day


def test_may_is_the_busiest_month(rides):
    m = rides[rides["month"].dt.year == 2019].groupby("month")["ba"].sum()
    assert m.idxmax() == pd.Timestamp("2019-05-01")
    assert m.idxmin() == pd.Timestamp("2019-02-01")


def test_boardings_and_alightings_balance(rides):
    b, a = rides["boardings"].sum(), rides["alightings"].sum()
    assert abs(b - a) / (a + b) < 0.02


def test_raw_48_column_file_matches_clean(rides):
    raw = pd.read_csv(data.raw_path("subway_ridership_raw"), encoding="cp949")
    assert list(raw.columns[:5]) == [
        "사용월",
        "호선명",
        "지하철역",
        "04시-05시 승차인원",
        "04시-05시 하차인원",
    ]
    assert raw.columns[-1] == "작업일자" and raw.shape[1] == 3 + 48 + 1
    assert raw["사용월"].iloc[0] == 202012  # newest month first
    row = raw[(raw["사용월"] == 201905) & (raw["호선명"] == "2호선") & (raw["지하철역"] == "강남")].iloc[0]
    clean = rides[
        (rides["month"] == "2019-05-01") & (rides["line"] == "2호선") & (rides["station"] == "강남")
    ].set_index("hour")
    assert row["18시-19시 승차인원"] == clean.loc[18, "boardings"]
    assert row["08시-09시 하차인원"] == clean.loc[8, "alightings"]
