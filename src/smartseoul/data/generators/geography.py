"""districts and dongs: the 25 gu and 426 administrative dongs, with approximate polygons.

Dong polygons are a Voronoi diagram of the dong centroids clipped to the simplified city
outline; gu polygons are the union of their dongs, so dongs nest exactly in their gu. Both are
approximate (labelled 'derived'); codes, names, areas and populations are facts."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Polygon

from .. import city, definitions
from ..spec import Output

DATASET = "geography"


def outline_polygon() -> Polygon:
    return Polygon(city.OUTLINE)


def build_dong_polygons() -> gpd.GeoDataFrame:
    dongs = city.dong_facts().reset_index(drop=True)
    pts = gpd.GeoSeries(gpd.points_from_xy(dongs["lon"], dongs["lat"]), crs=city.CRS_WGS84).to_crs(
        city.CRS_METRIC
    )
    outline = gpd.GeoSeries([outline_polygon()], crs=city.CRS_WGS84).to_crs(city.CRS_METRIC).iloc[0]
    cells = shapely.voronoi_polygons(MultiPoint(list(pts)), extend_to=outline.buffer(5000), ordered=True)
    cells = np.asarray(shapely.get_parts(cells))
    # clip each cell to the outline; a centroid outside the outline keeps the nearest part
    geoms = shapely.intersection(cells, outline)
    geoms = shapely.make_valid(shapely.set_precision(geoms, 1.0))
    gdf = gpd.GeoDataFrame(dongs, geometry=list(geoms), crs=city.CRS_METRIC)
    empty = gdf.geometry.is_empty
    if empty.any():  # pragma: no cover - reference centroids all lie inside the outline
        raise ValueError(f"{int(empty.sum())} dong cells fell outside the outline")
    return gdf


def build(ctx) -> list[Output]:
    gu = city.gu_facts()
    dongs = build_dong_polygons()
    # ---- dongs
    dong_gdf = gpd.GeoDataFrame(
        {
            "dong_code": dongs["adm_cd8_mois"],
            "adm_cd10": dongs["adm_cd10"],
            "kostat_cd7": dongs["kostat_cd7"],
            "kostat_cd8": dongs["kostat_cd8"],
            "gu_code": dongs["gu_code"],
            "gu_name": dongs["gu_name"],
            "dong_name": dongs["dong_name"],
            "centroid_lat": dongs["lat"].round(4),
            "centroid_lon": dongs["lon"].round(4),
            "centroid_placed": dongs["centroid_placed"].astype(bool),
        },
        geometry=dongs.geometry,
        crs=city.CRS_METRIC,
    )
    # ---- gu = union of their dongs (exact nesting)
    gu_geom = dong_gdf.dissolve(by="gu_code").geometry
    gu_gdf = gpd.GeoDataFrame(
        {
            "gu_code": gu["code"],
            "adm_cd10": gu["code"] + "00000",
            "kostat_code": gu["kostat_code"],
            "name_ko": gu["name_ko"],
            "name_en": gu["name_en"],
            "area_km2": gu["area_km2"],
            "population": gu["population"],
            "n_dong": gu["n_dong"],
            "centroid_lat": gu["lat"],
            "centroid_lon": gu["lon"],
        },
        geometry=gu_geom.reindex(gu["code"]).values,
        crs=city.CRS_METRIC,
    )
    # ---- synthetic dong population: split each gu's 2024 figure, weighted by cell area
    rng = ctx.rng("dong_population")
    area = dong_gdf.geometry.area.to_numpy() / 1e6
    weight = (area**0.35) * rng.lognormal(0.0, 0.35, len(dong_gdf))
    land_use = np.where(dong_gdf["dong_name"].isin(city.BUSINESS_DONGS), "business", "residential")
    weight = np.where(land_use == "business", weight * 0.45, weight)
    pop = np.zeros(len(dong_gdf), dtype=np.int64)
    gu_pop = dict(zip(gu["code"], gu["population"]))
    for code, idx in dong_gdf.groupby("gu_code").indices.items():
        w = weight[idx] / weight[idx].sum()
        share = np.floor(w * gu_pop[code]).astype(np.int64)
        share[np.argmax(w)] += gu_pop[code] - share.sum()
        pop[idx] = share
    old_share = np.clip(rng.normal(0.185, 0.035, len(pop)), 0.09, 0.32)
    young_share = np.clip(rng.normal(0.105, 0.02, len(pop)), 0.05, 0.18)
    pop65 = np.round(pop * old_share).astype(np.int64)
    pop014 = np.round(pop * young_share).astype(np.int64)
    mixed = (land_use == "residential") & (rng.random(len(pop)) < 0.18)
    land_use = np.where(mixed, "mixed", land_use)
    daytime = np.where(
        land_use == "business",
        rng.uniform(2.5, 6.0, len(pop)),
        np.where(land_use == "mixed", rng.uniform(1.05, 1.5, len(pop)), rng.uniform(0.72, 0.95, len(pop))),
    )
    pop_df = pd.DataFrame(
        {
            "dong_code": dong_gdf["dong_code"].to_numpy(),
            "gu_code": dong_gdf["gu_code"].to_numpy(),
            "population": pop,
            "pop_0_14": pop014,
            "pop_15_64": pop - pop014 - pop65,
            "pop_65_plus": pop65,
            "households": np.round(pop / rng.uniform(1.9, 2.6, len(pop))).astype(np.int64),
            "land_use": land_use,
            "daytime_ratio": np.round(daytime, 3),
        }
    )
    return [
        Output(definitions.resource(DATASET, "districts"), gu_gdf),
        Output(definitions.resource(DATASET, "dongs"), dong_gdf),
        Output(definitions.resource(DATASET, "dong_population"), pop_df),
    ]
