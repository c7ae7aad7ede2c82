"""Late-night demand (Owl Bus case): the hexagon grid, its hot spots, the week's rhythm, the
caller origin/home table and the nine routes carry the patterns module 3 teaches, measured on
the committed data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.ops import unary_union

from smartseoul import data

METRIC = "EPSG:5179"

# the five areas the city named (fact owl-bus-hot-spots); positions are independent estimates for the test
PRIMARY = {
    "홍대·합정": (37.5540, 126.9210),
    "동대문": (37.5690, 127.0090),
    "신림역": (37.4842, 126.9297),
    "역삼·강남": (37.4990, 127.0320),
    "시청·종로": (37.5690, 126.9830),
}
SECONDARY = {
    "건대입구": (37.5404, 127.0692),
    "영등포": (37.5160, 126.9070),
    "잠실": (37.5133, 127.1000),
    "신촌": (37.5560, 126.9370),
    "노원": (37.6551, 127.0613),
    "연신내": (37.6190, 126.9210),
    "이태원": (37.5345, 126.9946),
    "사당": (37.4766, 126.9816),
    "천호": (37.5387, 127.1236),
    "신사": (37.5200, 127.0230),
    "구로디지털단지": (37.4852, 126.9015),
    "수유": (37.6380, 127.0257),
    "청량리": (37.5802, 127.0470),
}


def _points(places: dict[str, tuple[float, float]]) -> gpd.GeoSeries:
    lat, lon = zip(*places.values())
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=list(places), crs=4326).to_crs(METRIC)


@pytest.fixture(scope="module")
def hexes():
    h = data.load("late_night_hexes").to_crs(METRIC)
    h["centre"] = h.geometry.centroid
    return h


@pytest.fixture(scope="module")
def hourly():
    return data.load("late_night_hourly")


@pytest.fixture(scope="module")
def routes():
    return data.load("owl_bus_routes").to_crs(METRIC)


@pytest.fixture(scope="module")
def city_shape():
    return unary_union(data.load("districts").to_crs(METRIC).geometry)


def _dist_to(points: gpd.GeoSeries, places: gpd.GeoSeries) -> np.ndarray:
    """Distance (m) from each point to the nearest of the places."""
    return np.min(np.stack([points.distance(p).to_numpy() for p in places]), axis=0)


def test_grid_size_and_coverage(hexes, city_shape):
    assert 1150 <= len(hexes) <= 1350, "about as many cells as the real study's 1,252 hexagons"
    assert hexes["hex_id"].is_unique
    areas = hexes.geometry.area / 1e6
    assert areas.between(0.45, 0.6).all(), "hexagons of about 450-500 m radius (~0.53 km²)"
    covered = city_shape.intersection(unary_union(hexes.geometry)).area / city_shape.area
    assert covered > 0.995, f"the grid covers only {covered:.1%} of the city"
    gu = set(data.load("districts")["gu_code"])
    dongs = data.load("dongs")
    assert set(hexes["gu_code"]) <= gu and len(set(hexes["gu_code"])) == 25
    assert set(hexes["dong_code"]) <= set(dongs["dong_code"])
    # codes match: each cell's dong lies in the cell's gu
    gu_of = dict(zip(dongs["dong_code"], dongs["gu_code"]))
    assert (hexes["dong_code"].map(gu_of) == hexes["gu_code"]).all()


def test_magnitudes_match_the_real_study(hexes, hourly):
    assert hexes["call_records"].sum() == pytest.approx(3e9, rel=0.01), "3 billion call/SMS records"
    taxi = hexes["taxi_pickups"].sum() + hexes["taxi_dropoffs"].sum()
    assert taxi == pytest.approx(5e6, rel=0.05), "about 5 million taxi records in one week"
    assert hexes["calls"].mean() == pytest.approx(100, abs=1), "call index: city mean cell = 100"
    per_hex = hourly.groupby("hex_id")[["taxi_pickups", "taxi_dropoffs"]].sum()
    joined = hexes.set_index("hex_id")[["taxi_pickups", "taxi_dropoffs"]].merge(
        per_hex, left_index=True, right_index=True, suffixes=("", "_h"), validate="one_to_one"
    )
    assert (joined["taxi_pickups"] == joined["taxi_pickups_h"]).all()
    assert (joined["taxi_dropoffs"] == joined["taxi_dropoffs_h"]).all()
    assert len(hourly) == len(hexes) * 7 * 5, "every cell, every day of one week, hours 00-04"


def test_top_cells_are_at_the_named_hot_spots(hexes):
    primary = _points(PRIMARY)
    named = _points({**PRIMARY, **SECONDARY})
    top_calls = hexes.nlargest(15, "calls")
    assert (_dist_to(top_calls["centre"], named) < 1500).all(), (
        "every top-15 call cell is at a known night spot"
    )
    assert (_dist_to(top_calls.head(10)["centre"], primary) < 1500).mean() >= 0.8
    top_pick = hexes.nlargest(10, "taxi_pickups")
    assert (_dist_to(top_pick["centre"], primary) < 1500).all(), (
        "top taxi pick-up cells at the five named areas"
    )
    # each of the five named areas has one of the 30 busiest call cells near it
    top30 = hexes.nlargest(30, "calls")["centre"]
    for name, p in primary.items():
        assert top30.distance(p).min() < 1000, f"no top-30 call cell near {name}"
    # hot spots stand far above the typical cell
    assert top_calls["calls"].min() > 3 * hexes["calls"].median()


def test_dropoffs_spread_towards_where_people_live(hexes):
    """People are picked up at nightlife spots and dropped off at home: drop-offs are less
    concentrated than pick-ups and follow residential density."""

    def top_share(col):
        s = hexes[col].sort_values(ascending=False)
        return s.head(len(s) // 20).sum() / s.sum()

    assert top_share("taxi_pickups") > top_share("taxi_dropoffs") + 0.15
    pop = data.load("dong_population")
    dongs = data.load("dongs").to_crs(METRIC)
    dens = pop.set_index("dong_code")["population"] / (dongs.set_index("dong_code").geometry.area / 1e6)
    d = hexes["dong_code"].map(dens)
    full = hexes["share_in_seoul"] > 0.9
    rho_drop = hexes.loc[full, "taxi_dropoffs"].corr(d[full], method="spearman")
    rho_pick = hexes.loc[full, "taxi_pickups"].corr(d[full], method="spearman")
    assert rho_drop > 0.4 and rho_drop > rho_pick + 0.1


def test_rhythm_of_the_night_and_the_week(hexes, hourly):
    by_hour = hourly.groupby("hour")["taxi_pickups"].sum()
    assert by_hour.idxmax() == 0 and (np.diff(by_hour.to_numpy()) < 0).all(), (
        "pick-ups fall hour by hour after midnight"
    )
    assert by_hour[0] > 3 * by_hour[4]
    by_day = hourly.groupby("weekday")["taxi_pickups"].sum()
    weekend = by_day[[5, 6]].mean()  # Friday and Saturday nights
    assert weekend > 1.25 * by_day[[0, 1, 2, 3]].mean()
    assert by_day.idxmax() == 5, "Friday night (Saturday 00-05 h) is the busiest"
    # nightlife cells stay busy later on weekend nights than residential cells do
    hot = set(hexes.loc[hexes["nearest_hot_spot"].notna()].nlargest(40, "taxi_pickups")["hex_id"])
    wk = hourly[hourly["weekday"].isin([5, 6])]
    late = wk["hour"] >= 2
    is_hot = wk["hex_id"].isin(hot)
    share_hot = wk.loc[is_hot & late, "taxi_pickups"].sum() / wk.loc[is_hot, "taxi_pickups"].sum()
    share_rest = wk.loc[~is_hot & late, "taxi_pickups"].sum() / wk.loc[~is_hot, "taxi_pickups"].sum()
    assert share_hot > share_rest + 0.03


def test_routes_facts_and_shape(routes, city_shape):
    assert sorted(routes["route_id"]) == sorted(
        ["N26", "N37", "N13", "N16", "N61", "N62", "N10", "N30", "N40"]
    )
    assert (routes["launch_date"] == "2013-09-12").all()
    assert (routes["fare_krw"] == 1850).all() and (routes["service_hours"] == "00:00-05:00").all()
    assert routes["approximate"].all()
    pilots = set(routes.loc[routes["pilot_from"].notna(), "route_id"])
    assert pilots == {"N26", "N37"}
    assert routes.geometry.length.between(8_000, 50_000).all()
    inside = routes.geometry.intersection(city_shape).length.sum() / routes.geometry.length.sum()
    assert inside > 0.95, "routes run inside Seoul"
    # the published termini: N26 joins Gangseo and Jungnang, N61 Yangcheon and Nowon, ...
    gu = data.load("districts").to_crs(METRIC).set_index("name_en").geometry
    ends = {
        "N26": ("Gangseo-gu", "Jungnang-gu"),
        "N37": ("Eunpyeong-gu", "Songpa-gu"),
        "N16": ("Dobong-gu", "Guro-gu"),
        "N61": ("Yangcheon-gu", "Nowon-gu"),
        "N30": ("Gangdong-gu", "Jung-gu"),
    }
    r = routes.set_index("route_id").geometry
    for rid, (a, b) in ends.items():
        coords = list(r[rid].coords)
        start, end = gpd.points_from_xy(
            [coords[0][0], coords[-1][0]], [coords[0][1], coords[-1][1]], crs=METRIC
        )
        assert gu[a].distance(start) < 1500 and gu[b].distance(end) < 1500, rid


def test_routes_serve_the_hot_spots_along_corridors(hexes, routes):
    lines = unary_union(routes.geometry)
    primary = _points(PRIMARY)
    near = [lines.distance(p) < 700 for p in primary]
    assert sum(near) >= 4, "the routes pass through most of the named hot spots"
    d = hexes["centre"].distance(lines)
    top = hexes.nlargest(50, "taxi_pickups").index
    assert (d[top] < 1500).mean() >= 0.85, "the busiest cells lie on the corridors"
    assert hexes.loc[d < 500, "taxi_pickups"].mean() > 3 * hexes.loc[d > 2500, "taxi_pickups"].mean()


def test_caller_origin_and_home(hexes):
    od = data.load("late_night_od")
    assert len(od) == 625 and od["call_records"].sum() == pytest.approx(3e9, rel=0.01)
    by_origin = od.groupby("origin_gu_code")["call_records"].sum()
    by_hex = hexes.groupby("gu_code")["call_records"].sum()
    pd.testing.assert_series_equal(
        by_origin.sort_index(), by_hex.sort_index(), check_names=False, check_dtype=False
    )
    own = od[od["origin_gu_code"] == od["home_gu_code"]].set_index("origin_gu_code")["call_records"]
    biggest = od.loc[od.groupby("origin_gu_code")["call_records"].idxmax()].set_index("origin_gu_code")[
        "home_gu_code"
    ]
    assert (biggest == biggest.index).mean() >= 0.8, "most callers out late are in their own gu"
    away = od[od["origin_gu_code"] != od["home_gu_code"]]
    rho = away["call_records"].corr(away["distance_km"], method="spearman")
    assert rho < -0.3, "fewer callers come from far away"
    assert (own / by_origin).between(0.05, 0.8).all()


@pytest.fixture(scope="module")
def nightly():
    d = data.load("late_night_daily")
    w = data.load("weather_daily")
    return d.merge(w, on="date", how="inner", validate="one_to_one")


def test_nightly_magnitudes_and_covid(nightly):
    year = nightly["date"].dt.year
    riders = nightly.groupby(year)["owl_bus_riders"].sum()
    assert riders[2019] == pytest.approx(3.1e6, rel=0.05), "about 3.1 million riders a year before COVID"
    taxi = nightly.groupby(year)["taxi_pickups"].mean()
    # distancing closed bars early: late-night taxis collapse, Owl Bus riders (night workers) fall less
    assert taxi[2021] < 0.6 * taxi[2019]
    assert riders[2021] < 0.85 * riders[2019]
    assert riders[2021] / riders[2019] > taxi[2021] / taxi[2019] + 0.15
    assert taxi[2023] > taxi[2021] * 1.5, "recovery after distancing ended (2022-04-18)"
    # the strictest stage (summer 2021) is the low point for taxis
    summer21 = nightly[(nightly["date"] >= "2021-07-12") & (nightly["date"] < "2021-10-01")][
        "taxi_pickups"
    ].mean()
    assert summer21 < 0.45 * taxi[2019]


def test_nightly_expansion_and_rhythm(nightly):
    routes = nightly.set_index("date")["owl_bus_routes"]
    assert routes["2022-04-17"] == 9 and routes["2022-04-18"] == 12 and routes["2022-05-01"] == 14
    # the expansion adds riders: compare the same weeks a year apart, after distancing ended
    before = nightly[(nightly["date"] >= "2022-05-01") & (nightly["date"] < "2022-10-01")][
        "owl_bus_riders"
    ].mean()
    a_year_on = nightly[(nightly["date"] >= "2023-05-01") & (nightly["date"] < "2023-10-01")][
        "owl_bus_riders"
    ].mean()
    assert before > nightly[nightly["date"].dt.year == 2019]["owl_bus_riders"].mean(), (
        "14 routes carry more than 9 did"
    )
    assert a_year_on > before
    pre = nightly[nightly["date"].dt.year == 2019]
    by_day = pre.groupby("weekday")["owl_bus_riders"].mean()
    assert by_day.idxmax() == 5 and by_day[[5, 6]].mean() > 1.25 * by_day[[0, 1, 2, 3]].mean()


def test_nightly_weather(nightly):
    """Rain keeps people home: fewer Owl Bus riders on rainy nights, same month and weekday."""
    d = nightly[nightly["date"].dt.year == 2019].copy()
    d["key"] = d["date"].dt.month.astype(str) + "-" + d["weekday"].astype(str)
    d["rel"] = d["owl_bus_riders"] / d.groupby("key")["owl_bus_riders"].transform("median")
    wet = d["rain_mm"] >= 1
    assert d.loc[wet, "rel"].mean() < d.loc[~wet, "rel"].mean() - 0.06
    heavy = d["rain_mm"] >= 30
    assert heavy.sum() >= 3 and d.loc[heavy, "rel"].mean() < 0.9
    assert d.loc[heavy, "rel"].mean() < d.loc[wet & ~heavy, "rel"].mean(), "heavy rain keeps more people home"
