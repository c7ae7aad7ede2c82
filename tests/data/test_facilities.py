"""Facilities and green space: the points sit in their dongs, cooling shelters follow older
residents but unevenly (the equity lesson of module 5), and green space lies on the mountains,
Namsan and the Han River rather than in the dense centre, measured on the committed data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from smartseoul import data

METRIC = "EPSG:5179"
KKACHI_ON_GU = {"11200", "11530", "11380", "11500", "11320"}  # Seongdong, Guro, Eunpyeong, Gangseo, Dobong
MOUNTAIN_GU = {
    "11320": "Dobong",
    "11305": "Gangbuk",
    "11620": "Gwanak",
    "11110": "Jongno",
    "11350": "Nowon",
    "11650": "Seocho",
}


@pytest.fixture(scope="module")
def fac():
    return data.load("facilities")


@pytest.fixture(scope="module")
def green():
    return data.load("green_space")


@pytest.fixture(scope="module")
def pop():
    return data.load("dong_population").set_index("dong_code")


@pytest.fixture(scope="module")
def shelters_per_dong(fac, pop):
    cs = fac[fac["facility_type"] == "cooling_shelter"]
    return cs.groupby("dong_code").size().reindex(pop.index, fill_value=0)


def test_counts_and_ids(fac):
    n = fac["facility_type"].value_counts()
    assert 3000 <= n["cooling_shelter"] <= 4000
    assert 3000 <= n["senior_centre"] <= 4000
    assert 500 <= n["library"] <= 1200
    assert 3000 <= n["public_wifi"] <= 6000
    assert 2000 <= n["cctv"] <= 5000
    assert fac["facility_id"].is_unique
    kk = fac[fac["subtype"] == "kkachi_on"]
    assert len(kk) == 1780, "1,780 new Kkachi-on APs (fact kkachi-on-aps-2020)"
    assert set(kk["gu_code"]) == KKACHI_ON_GU
    cams = fac.loc[fac["facility_type"] == "cctv", "cameras"]
    assert cams.notna().all() and cams.between(1, 8).all()
    assert fac.loc[fac["facility_type"] != "cctv", "cameras"].isna().all()


def test_points_lie_in_their_dong(fac):
    dongs = data.load("dongs")
    pts = gpd.GeoDataFrame(
        fac[["facility_id", "dong_code", "gu_code"]],
        geometry=gpd.points_from_xy(fac["lon"], fac["lat"]),
        crs=4326,
    )
    j = gpd.sjoin(
        pts,
        dongs[["dong_code", "gu_code", "geometry"]],
        how="left",
        predicate="within",
        lsuffix="f",
        rsuffix="d",
    )
    j = j[~j.index.duplicated()]
    assert (j["dong_code_f"] == j["dong_code_d"]).mean() > 0.999
    assert (j["gu_code_f"] == j["gu_code_d"]).mean() > 0.999


def test_senior_centres_follow_older_residents(fac, pop):
    sc = (
        fac[fac["facility_type"] == "senior_centre"]
        .groupby("dong_code")
        .size()
        .reindex(pop.index, fill_value=0)
    )
    assert sc.corr(pop["pop_65_plus"], method="spearman") > 0.7


def test_cooling_shelters_follow_older_residents_unevenly(fac, pop, shelters_per_dong):
    older = pop["pop_65_plus"]
    rho = shelters_per_dong.corr(older, method="spearman")
    assert 0.4 < rho < 0.9, f"shelters should follow older residents, but not perfectly (rho={rho:.2f})"
    rate = shelters_per_dong / older * 1000  # shelters per 1,000 residents aged 65+
    assert rate.quantile(0.9) / rate.quantile(0.1) > 2.0, "access varies a lot between dongs"
    # the equity lesson: dongs with many older residents yet few shelters
    many_old = older >= older.quantile(0.75)
    underserved = many_old & (rate < 0.5 * rate.median())
    assert underserved.sum() >= 8, f"only {underserved.sum()} under-served dongs with many older residents"
    by_gu = shelters_per_dong.groupby(pop["gu_code"]).sum() / older.groupby(pop["gu_code"]).sum()
    assert by_gu.max() / by_gu.min() > 1.5, "districts differ in how well they provide"


def test_shelters_are_mostly_in_senior_centres(fac):
    cs = fac[fac["facility_type"] == "cooling_shelter"]
    hosted = cs[cs["host_id"].notna()]
    assert len(hosted) / len(cs) > 0.5
    assert (cs.loc[cs["host_id"].notna(), "subtype"] == "경로당").all()
    sc = fac[fac["facility_type"] == "senior_centre"].set_index("facility_id")
    host = sc.loc[hosted["host_id"]]
    assert (host["dong_code"].to_numpy() == hosted["dong_code"].to_numpy()).all()
    assert np.allclose(host["lat"].to_numpy(), hosted["lat"].to_numpy())
    assert (cs["subtype"] == "주민센터").sum() >= 300, "community centres serve as shelters in most dongs"


def test_wifi_follows_the_daytime_crowd(fac, pop):
    wifi = fac[fac["subtype"] == "public_wifi"].groupby("dong_code").size().reindex(pop.index, fill_value=0)
    per_resident = wifi / pop["population"]
    by_use = per_resident.groupby(pop["land_use"]).median()
    assert by_use["business"] > 2 * by_use["residential"]


def test_green_space_shares(green):
    assert len(green) == 426 and green["dong_code"].is_unique
    parts = green[["forest_share", "park_share", "river_park_share"]].sum(axis=1)
    assert np.allclose(np.minimum(parts, 0.97), green["green_share"], atol=0.003)
    assert green["green_share"].between(0, 1).all()
    city = (green["green_share"] * green["land_area_km2"]).sum() / green["land_area_km2"].sum()
    assert 0.18 < city < 0.40, f"city-wide green share {city:.2f}"


def test_green_space_is_on_the_mountains_not_in_the_centre(green, pop):
    g = green.set_index("dong_code")
    weighted = (g["green_share"] * g["land_area_km2"]).groupby(g["gu_code"]).sum() / g[
        "land_area_km2"
    ].groupby(g["gu_code"]).sum()
    mountain = weighted[weighted.index.isin(list(MOUNTAIN_GU))]
    other = weighted[~weighted.index.isin(list(MOUNTAIN_GU))]
    assert mountain.mean() > other.mean() + 0.08
    assert mountain.min() > other.median(), "every mountain-edge gu is greener than the typical gu"
    by_use = g["green_share"].groupby(pop["land_use"]).median()
    assert by_use["business"] < 0.7 * by_use["residential"], "dense business districts have little green"
    dongs = data.load("dongs")

    def share_at(lat, lon):
        p = gpd.GeoDataFrame(geometry=gpd.points_from_xy([lon], [lat]), crs=4326)
        code = gpd.sjoin(p, dongs[["dong_code", "geometry"]], predicate="within")["dong_code"].iloc[0]
        return g.loc[code, "green_share"]

    assert share_at(37.5512, 126.9882) > 0.5, "Namsan"
    assert share_at(37.4600, 126.9500) > 0.5, "Gwanaksan"
    assert share_at(37.5663, 126.9779) < 0.25, "City Hall"


def test_han_river_parks(green):
    river = green[green["river_park_share"] > 0.02]
    assert len(river) >= 30
    dongs = data.load("dongs").set_index("dong_code")
    lat = dongs.loc[river["dong_code"], "centroid_lat"]
    assert lat.between(37.48, 37.60).all(), "riverside parks only along the Han"
    # both banks: gu north and south of the river
    north = {"11440", "11170", "11200", "11215", "11140"}
    south = {"11500", "11560", "11590", "11650", "11680", "11710", "11740"}
    assert set(river["gu_code"]) & north and set(river["gu_code"]) & south
