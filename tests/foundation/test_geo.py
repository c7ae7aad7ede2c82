"""Map helpers: areas in a projected CRS, spatial-join counts, hexagon grids."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from smartseoul import data, geo


def test_area_needs_a_projected_crs():
    gu = data.load("districts")
    km2 = geo.area_km2(gu)
    assert 595 < km2.sum() < 615
    degrees = gu.geometry.area.sum()  # what a trainee gets without projecting
    assert degrees < 1  # square degrees: meaningless, which is the lesson


def test_missing_crs_gets_a_clear_message():
    g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="no CRS"):
        geo.to_metric(g)


def test_count_points_in_polygons():
    gu = data.load("districts")
    pts = geo.points_from_frame(
        pd.DataFrame({"lon": [126.978, 126.978, 127.10], "lat": [37.566, 37.5665, 37.51]})
    )
    n = geo.count_points_in(gu, pts, by="gu_code")
    assert n.sum() == 3 and n["11140"] == 2 and (n == 0).sum() == 23  # two at City Hall (Jung-gu)


def test_hex_grid_covers_the_city():
    gu = data.load("districts")
    grid = geo.hex_grid(gu, radius_m=1000)
    cell = grid.geometry.iloc[0].area
    assert abs(cell - 2.598 * 1000**2) / cell < 0.01  # area of a regular hexagon
    city_shape = geo.to_metric(gu).union_all()
    assert city_shape.difference(grid.union_all()).area < 1e-6 * city_shape.area


def test_count_points_in_ignores_columns_the_points_already_have():
    gu = data.load("districts")
    stations = data.load("bike_stations")  # has its own gu_code column
    pts = geo.points_from_frame(stations)
    n = geo.count_points_in(gu, pts, by="gu_code")
    assert n.sum() == len(stations)
    assert (n == stations.groupby("gu_code").size().reindex(n.index, fill_value=0)).mean() > 0.95


# -- a metric CRS chosen from the data (issue 18, item 5) ------------------------------------
#: the centres of three participating cities, in degrees (longitude, latitude)
CITIES = {"Jakarta": (106.85, -6.2), "Almaty": (76.9, 43.25), "Cuenca": (-79.0, -2.9)}


def toy_city_at(lon: float, lat: float) -> gpd.GeoDataFrame:
    """The capstone's toy city (nine districts, in degrees) moved so that its centre is (lon, lat)."""
    from shapely import affinity

    from smartseoul import capstone

    gdf, _ = capstone.toy_city()
    cx, cy = gdf.union_all().centroid.coords[0]
    return gdf.set_geometry(gdf.geometry.map(lambda g: affinity.translate(g, lon - cx, lat - cy)))


def equal_area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """The reference: a Lambert azimuthal equal-area CRS centred on the layer."""
    lon, lat = gdf.to_crs(geo.WGS84).union_all().centroid.coords[0]
    return gdf.to_crs(f"+proj=laea +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m").area / 1e6


def worst_area_error(gdf: gpd.GeoDataFrame, metric: gpd.GeoDataFrame) -> float:
    return float((metric.area / 1e6 / equal_area_km2(gdf) - 1).abs().max())


@pytest.mark.parametrize("city", sorted(CITIES))
def test_to_metric_measures_areas_right_in_any_city(city):
    layer = toy_city_at(*CITIES[city])
    with warnings.catch_warnings():
        warnings.simplefilter("error", geo.SeveralZonesWarning)  # one zone: no warning
        metric = geo.to_metric(layer)
    assert metric.crs.to_epsg() == int(geo.utm_crs(*CITIES[city]).split(":")[1])
    assert metric.crs.to_epsg() != 5179
    assert worst_area_error(layer, metric) < 0.005
    assert geo.area_km2(layer).sum() == pytest.approx(equal_area_km2(layer).sum(), rel=0.005)


@pytest.mark.parametrize("city", sorted(CITIES))
def test_planted_korean_crs_outside_korea_fails_the_area_check(city):
    """The check above can fail: the old behaviour (EPSG:5179 everywhere) is far off outside Korea."""
    layer = toy_city_at(*CITIES[city])
    assert worst_area_error(layer, layer.to_crs(geo.KOREA_METRIC)) > 0.005


def test_planted_wrong_utm_zone_fails_the_area_check():
    layer = toy_city_at(*CITIES["Almaty"])
    assert worst_area_error(layer, layer.to_crs(geo.utm_crs(*CITIES["Jakarta"]))) > 0.005


def test_seoul_layers_are_unchanged():
    gu = data.load("districts")
    metric = geo.to_metric(gu)
    assert metric.crs.to_epsg() == 5179
    assert metric.geometry.geom_equals_exact(gu.to_crs(geo.KOREA_METRIC).geometry, tolerance=1e-6).all()
    assert geo.to_metric(metric).crs.to_epsg() == 5179  # already metric: stays in EPSG:5179
    assert geo.hex_grid(gu.iloc[:1], radius_m=1000).crs.to_epsg() == 5179


def test_planted_utm_for_seoul_fails_the_unchanged_check():
    gu = data.load("districts")
    metric = gu.to_crs(geo.utm_crs(127.0, 37.55))
    assert metric.crs.to_epsg() != 5179
    korea = gu.to_crs(geo.KOREA_METRIC).geometry.set_crs(metric.crs, allow_override=True)
    assert not metric.geometry.geom_equals_exact(korea, tolerance=1e-6).all()


def test_helpers_built_on_to_metric_follow_it():
    layer = toy_city_at(*CITIES["Jakarta"])
    grid = geo.hex_grid(layer, radius_m=500)
    assert grid.crs.to_epsg() == 32748
    assert grid.geometry.iloc[0].area == pytest.approx(2.598 * 500**2, rel=0.01)
    city_shape = geo.to_metric(layer).union_all()
    assert city_shape.difference(grid.union_all()).area < 1e-6 * city_shape.area
    assert geo.area_km2(layer).sum() == pytest.approx(81, rel=0.005)  # nine 3 km squares


def test_an_explicit_crs_wins_and_degrees_are_refused():
    layer = toy_city_at(*CITIES["Cuenca"])
    assert geo.to_metric(layer, crs="EPSG:31992").crs.to_epsg() == 31992  # SIRGAS 2000 / UTM 17S
    with pytest.raises(ValueError, match="not a projected CRS"):
        geo.to_metric(layer, crs="EPSG:4326")


def test_a_layer_across_two_zones_gets_a_warning():
    layer = toy_city_at(102.0, 13.75)  # across the border of UTM zones 47 and 48
    with pytest.warns(geo.SeveralZonesWarning, match=r"spans UTM zones 47 to 48") as caught:
        metric = geo.to_metric(layer)
    assert "pass crs='EPSG:...'" in str(caught[0].message)
    assert metric.crs.to_epsg() == 32648  # the zone of the centre (longitude 102.0 starts zone 48)
    assert worst_area_error(layer, metric) < 0.005


def test_planted_one_zone_layer_does_not_warn():
    """The warning check can fail: a layer inside one zone raises no warning."""
    layer = toy_city_at(100.5, 13.75)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        geo.to_metric(layer)
    assert not [w for w in caught if issubclass(w.category, geo.SeveralZonesWarning)]
