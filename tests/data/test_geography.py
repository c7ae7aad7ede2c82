"""The 25 gu and 426 dongs: codes, facts, and dongs nested exactly in their gu."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Polygon

from smartseoul import data
from smartseoul.data import city


@pytest.fixture(scope="module")
def gu():
    return data.load("districts").to_crs(city.CRS_METRIC)


@pytest.fixture(scope="module")
def dongs():
    return data.load("dongs").to_crs(city.CRS_METRIC)


def test_districts_hold_the_reference_facts(gu):
    assert len(gu) == 25 and gu["gu_code"].is_unique
    assert gu["population"].sum() == 9_597_372
    assert gu["n_dong"].sum() == 426
    songpa = gu.set_index("name_en").loc["Songpa-gu"]
    assert songpa["gu_code"] == "11710" and songpa["kostat_code"] == "11240"
    assert gu.set_index("name_ko").loc["동대문구", "gu_code"] == "11230"  # the MOIS/KOSTAT trap
    assert gu.set_index("name_ko").loc["강남구", "kostat_code"] == "11230"
    assert (gu["adm_cd10"] == gu["gu_code"] + "00000").all()
    assert gu["population"].idxmax() == gu.index[gu["name_en"] == "Songpa-gu"][0]


def test_dongs_are_426_with_codes_kept_as_text(dongs):
    assert len(dongs) == 426 and dongs["dong_code"].is_unique
    assert dongs["dong_code"].str.fullmatch(r"11\d{6}").all()
    assert (dongs["adm_cd10"].str[:8] == dongs["dong_code"]).all()
    assert set(dongs.loc[dongs["centroid_placed"], "dong_name"]) == {
        "항동",
        "위례동",
        "상일제1동",
        "상일제2동",
    }


def test_dong_counts_per_gu_match_the_facts(gu, dongs):
    counts = dongs.groupby("gu_code").size()
    assert counts.to_dict() == gu.set_index("gu_code")["n_dong"].to_dict()


def test_dongs_nest_exactly_in_their_gu(gu, dongs):
    g = gu.set_index("gu_code").geometry
    outside = [
        row.dong_name
        for row in dongs.itertuples()
        if row.geometry.difference(g[row.gu_code]).area > 1.0  # m2, rounding slack
    ]
    assert not outside, f"dongs sticking out of their gu: {outside[:5]}"
    # and the dongs of different gu do not overlap
    inter = gpd.overlay(
        dongs[["gu_code", "geometry"]],
        dongs[["gu_code", "geometry"]].rename(columns={"gu_code": "g2"}),
        how="intersection",
        keep_geom_type=True,
    )
    overlap = inter[inter["gu_code"] != inter["g2"]].area.sum()
    assert overlap < 1_000, f"{overlap:.0f} m2 of dongs overlap across gu"


def test_the_city_outline_is_covered(gu):
    outline = gpd.GeoSeries([Polygon(city.OUTLINE)], crs=4326).to_crs(city.CRS_METRIC).iloc[0]
    union = gu.union_all()
    assert abs(union.area - outline.area) / outline.area < 0.002
    assert union.symmetric_difference(outline).area / outline.area < 0.002
    assert 600 < union.area / 1e6 < 612  # Seoul is 605.2 km2


def test_approximate_gu_areas_are_close_to_official(gu):
    ratio = gu.geometry.area / 1e6 / gu["area_km2"]
    assert ratio.between(0.75, 1.25).all(), ratio.round(2).to_dict()
    assert abs(ratio.median() - 1) < 0.05


def test_each_dong_cell_contains_its_centroid(dongs):
    pts = gpd.GeoSeries(gpd.points_from_xy(dongs.centroid_lon, dongs.centroid_lat), crs=4326).to_crs(
        city.CRS_METRIC
    )
    inside = [geom.buffer(30).contains(p) for geom, p in zip(dongs.geometry, pts)]
    assert all(inside)


def test_dong_population_splits_each_gu_total(gu):
    pop = data.load("dong_population")
    by_gu = pop.groupby("gu_code")["population"].sum()
    assert by_gu.to_dict() == gu.set_index("gu_code")["population"].to_dict()
    assert (pop["pop_0_14"] + pop["pop_15_64"] + pop["pop_65_plus"] == pop["population"]).all()
    share65 = pop["pop_65_plus"].sum() / pop["population"].sum()
    assert 0.16 < share65 < 0.21  # city share 18.5 % (2023)
    business = pop.loc[pop["land_use"] == "business", "daytime_ratio"]
    assert business.min() > 2 and pop.loc[pop["land_use"] == "residential", "daytime_ratio"].max() < 1
