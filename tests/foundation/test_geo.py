"""Map helpers: areas in a projected CRS, spatial-join counts, hexagon grids."""

from __future__ import annotations

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
