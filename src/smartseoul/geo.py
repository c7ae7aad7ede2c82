"""Small map helpers for the course: the right CRS for the job, areas, counts and grids.

WGS84 (EPSG:4326) is for storing and showing positions; areas and distances need a projected
CRS in metres. For Korea we use Korea 2000 / Unified CS (EPSG:5179); the Korea 2000 / Central
Belt 2010 (EPSG:5186) works as well for Seoul."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Polygon

WGS84 = "EPSG:4326"
KOREA_METRIC = "EPSG:5179"
KOREA_CENTRAL = "EPSG:5186"


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same data in metres (EPSG:5179), ready for areas, distances and buffers."""
    if gdf.crs is None:
        raise ValueError(
            "This GeoDataFrame has no CRS. Set it first, e.g. gdf.set_crs('EPSG:4326') for longitude/latitude."
        )
    return gdf.to_crs(KOREA_METRIC)


def area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Polygon areas in km², computed in a projected CRS (never in degrees)."""
    return to_metric(gdf).geometry.area / 1e6


def points_from_frame(df: pd.DataFrame, lon: str = "lon", lat: str = "lat") -> gpd.GeoDataFrame:
    """A table with longitude/latitude columns as a GeoDataFrame of points in WGS84."""
    return gpd.GeoDataFrame(df.copy(), geometry=gpd.points_from_xy(df[lon], df[lat]), crs=WGS84)


def count_points_in(
    polygons: gpd.GeoDataFrame, points: gpd.GeoDataFrame, by: str, name: str = "n"
) -> pd.Series:
    """How many points fall in each polygon (a spatial join), zero where none do."""
    pts = points[[points.geometry.name]].to_crs(polygons.crs)  # only the geometry: no column clashes
    joined = gpd.sjoin(pts, polygons[[by, polygons.geometry.name]], predicate="within", how="inner")
    return joined.groupby(by).size().reindex(polygons[by], fill_value=0).rename(name)


def hex_grid(area: gpd.GeoDataFrame, radius_m: float = 500.0) -> gpd.GeoDataFrame:
    """Flat-topped hexagons of the given radius (centre to corner) covering ``area``."""
    metric = to_metric(area)
    xmin, ymin, xmax, ymax = metric.total_bounds
    w, h = 1.5 * radius_m, np.sqrt(3) * radius_m
    cells = []
    for i, x in enumerate(np.arange(xmin, xmax + w, w)):
        for y in np.arange(ymin - (h / 2 if i % 2 else 0), ymax + h, h):
            ang = np.deg2rad(np.arange(0, 360, 60))
            cells.append(Polygon(zip(x + radius_m * np.cos(ang), y + radius_m * np.sin(ang))))
    grid = gpd.GeoDataFrame(geometry=cells, crs=KOREA_METRIC)
    grid = grid[grid.intersects(metric.union_all())].reset_index(drop=True)
    grid.insert(0, "hex_id", [f"H{i:04d}" for i in range(len(grid))])
    return grid
