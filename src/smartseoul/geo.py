"""Small map helpers for the course: the right CRS for the job, areas, counts and grids.

WGS84 (EPSG:4326) is for storing and showing positions; areas and distances need a projected
CRS in metres. ``to_metric`` chooses one from where the data are:

- in Korea, Korea 2000 / Unified CS (EPSG:5179), the CRS of the course's Seoul data (the Korea
  2000 / Central Belt 2010, EPSG:5186, works as well for Seoul);
- anywhere else, the UTM zone of the layer's centre (WGS 84 / UTM, EPSG:326xx north of the
  equator, EPSG:327xx south of it), whose scale is within 0.1 % of true inside the zone;
- or the CRS you pass, for example the one your national mapping agency uses.

A layer wider than one UTM zone gets a warning: areas far outside the zone are less exact."""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from shapely.geometry import Polygon

WGS84 = "EPSG:4326"
KOREA_METRIC = "EPSG:5179"
KOREA_CENTRAL = "EPSG:5186"
#: where EPSG:5179 is meant to be used (west, south, east, north, in degrees): its area of use
KOREA_BOUNDS = (122.71, 28.6, 134.28, 40.27)


class SeveralZonesWarning(UserWarning):
    """The layer spans more than one UTM zone: areas at its far edges are less exact."""


def utm_zone(lon: float) -> int:
    """The UTM zone (1 to 60) of a longitude in degrees."""
    return int((lon + 180) // 6) % 60 + 1


def utm_crs(lon: float, lat: float) -> str:
    """WGS 84 / UTM for the zone of this point: EPSG:326zz north of the equator, 327zz south."""
    return f"EPSG:{(32600 if lat >= 0 else 32700) + utm_zone(lon)}"


def _lonlat_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    if gdf.crs is not None and gdf.crs.is_geographic and gdf.crs.equals(CRS.from_user_input(WGS84)):
        xmin, ymin, xmax, ymax = (float(v) for v in gdf.total_bounds)
        return xmin, ymin, xmax, ymax
    to_lonlat = Transformer.from_crs(gdf.crs, WGS84, always_xy=True)
    left, bottom, right, top = (float(v) for v in gdf.total_bounds)
    xmin, ymin, xmax, ymax = to_lonlat.transform_bounds(left, bottom, right, top, densify_pts=21)
    return float(xmin), float(ymin), float(xmax), float(ymax)


def metric_crs(gdf: gpd.GeoDataFrame) -> str:
    """The projected CRS in metres that ``to_metric`` uses for this layer (see the module notes).

    Warns (``SeveralZonesWarning``) when the layer spans more than one UTM zone."""
    if gdf.crs is None:
        raise ValueError(
            "This GeoDataFrame has no CRS. Set it first, e.g. gdf.set_crs('EPSG:4326') for longitude/latitude."
        )
    if gdf.empty:
        raise ValueError("This GeoDataFrame is empty, so there is nothing to measure.")
    west, south, east, north = _lonlat_bounds(gdf)
    if not all(map(math.isfinite, (west, south, east, north))):
        raise ValueError(
            "The coordinates of this layer cannot be turned into longitude/latitude. "
            "Check that its CRS is right (gdf.crs) before measuring areas or distances."
        )
    k_west, k_south, k_east, k_north = KOREA_BOUNDS
    if k_west <= west and east <= k_east and k_south <= south and north <= k_north:
        return KOREA_METRIC
    lon, lat = (west + east) / 2, (south + north) / 2
    first, last = utm_zone(west), utm_zone(east)
    if first != last:
        chosen = utm_crs(lon, lat)
        warnings.warn(
            f"This layer spans UTM zones {first} to {last} (longitude {west:.2f} to {east:.2f}). "
            f"Areas and distances use the zone of its centre ({chosen}), so they are less exact "
            "near its far edges. To choose the CRS yourself, pass crs='EPSG:...', for example "
            "the one your national mapping agency uses.",
            SeveralZonesWarning,
            stacklevel=3,
        )
    return utm_crs(lon, lat)


def to_metric(gdf: gpd.GeoDataFrame, crs: str | int | CRS | None = None) -> gpd.GeoDataFrame:
    """The same data in metres, ready for areas, distances and buffers.

    Seoul (anywhere in Korea) goes to EPSG:5179; any other place to the UTM zone of its centre;
    ``crs`` overrides the choice."""
    if gdf.crs is None:
        raise ValueError(
            "This GeoDataFrame has no CRS. Set it first, e.g. gdf.set_crs('EPSG:4326') for longitude/latitude."
        )
    if crs is None:
        crs = metric_crs(gdf)
    elif not CRS.from_user_input(crs).is_projected:
        raise ValueError(
            f"{crs} is not a projected CRS, so its units are degrees, not metres. "
            "Pass a projected CRS, for example the UTM zone of your city."
        )
    return gdf.to_crs(crs)


def area_km2(gdf: gpd.GeoDataFrame, crs: str | int | CRS | None = None) -> pd.Series:
    """Polygon areas in km², computed in a projected CRS (never in degrees); see ``to_metric``."""
    return to_metric(gdf, crs).geometry.area / 1e6


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


def hex_grid(
    area: gpd.GeoDataFrame, radius_m: float = 500.0, crs: str | int | CRS | None = None
) -> gpd.GeoDataFrame:
    """Flat-topped hexagons of the given radius (centre to corner) covering ``area``, in the
    metric CRS of ``to_metric`` (EPSG:5179 for Seoul)."""
    metric = to_metric(area, crs)
    xmin, ymin, xmax, ymax = metric.total_bounds
    w, h = 1.5 * radius_m, np.sqrt(3) * radius_m
    cells = []
    for i, x in enumerate(np.arange(xmin, xmax + w, w)):
        for y in np.arange(ymin - (h / 2 if i % 2 else 0), ymax + h, h):
            ang = np.deg2rad(np.arange(0, 360, 60))
            cells.append(Polygon(zip(x + radius_m * np.cos(ang), y + radius_m * np.sin(ang))))
    grid = gpd.GeoDataFrame(geometry=cells, crs=metric.crs)
    grid = grid[grid.intersects(metric.union_all())].reset_index(drop=True)
    grid.insert(0, "hex_id", [f"H{i:04d}" for i in range(len(grid))])
    return grid
