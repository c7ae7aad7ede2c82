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

from .. import city
from ..schema import Field, Schema
from ..spec import FACTS_SOURCE, Output, Resource

DATASET = "geography"

SEOUL_MAPS = {
    "title": "southkorea/seoul-maps, JUSO 2015 boundaries (Apache-2.0)",
    "path": "https://github.com/southkorea/seoul-maps",
}
ADMDONG = {
    "title": "vuski/admdongkor ver20220309 propertiesTable.tsv (dong codes)",
    "path": "https://github.com/vuski/admdongkor",
}
MARGINALIA = {
    "title": "Ryu-Jemu/marginalia docs/district-map-sources.md (2024 population, secondary)",
    "path": "https://github.com/Ryu-Jemu/marginalia",
}

GEOM_NOTE = (
    "Approximate polygons: a Voronoi diagram of dong centroids clipped to a 55-vertex city outline, "
    "dissolved by gu. Good for maps and spatial joins at city scale; not for legal boundaries. "
    "For official areas use area_km2."
)


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


def _gu_fields() -> list[Field]:
    return [
        Field(
            "gu_code",
            "string",
            "MOIS 5-digit district code (행정표준코드); the key most Seoul open data use.",
            "자치구코드",
            required=True,
            unique=True,
            pattern=r"11\d{3}",
        ),
        Field(
            "adm_cd10",
            "string",
            "MOIS 10-digit administrative-agency code of the gu (gu_code + 00000).",
            "행정기관코드",
            required=True,
            pattern=r"11\d{8}",
        ),
        Field(
            "kostat_code",
            "string",
            "KOSTAT census district code (11010 ... 11250). Beware: a different code family from gu_code.",
            "통계청 행정구역코드",
            required=True,
            pattern=r"11\d{3}",
        ),
        Field("name_ko", "string", "District name in Korean.", "자치구명", required=True),
        Field("name_en", "string", "District name in English (Revised Romanization).", required=True),
        Field(
            "area_km2",
            "number",
            "Official area (Seoul statistics, 2024 table).",
            "면적",
            unit="km²",
            minimum=0,
        ),
        Field(
            "population",
            "integer",
            "Registered population incl. registered foreigners, 2024 (secondary source; total 9,597,372).",
            "인구",
            unit="persons",
            minimum=0,
        ),
        Field("n_dong", "integer", "Number of administrative dongs (2022-03-09).", "행정동 수", minimum=1),
        Field(
            "centroid_lat",
            "number",
            "Area-weighted centroid latitude of the JUSO 2015 polygon.",
            unit="degrees (WGS84)",
        ),
        Field(
            "centroid_lon",
            "number",
            "Area-weighted centroid longitude of the JUSO 2015 polygon.",
            unit="degrees (WGS84)",
        ),
        Field("geometry", "geojson", "Approximate polygon (see notes)."),
    ]


def _dong_fields() -> list[Field]:
    return [
        Field(
            "dong_code",
            "string",
            "MOIS 8-digit administrative dong code used by Seoul open data (생활인구, 상권분석).",
            "행정동코드",
            required=True,
            unique=True,
            pattern=r"11\d{6}",
        ),
        Field(
            "adm_cd10",
            "string",
            "MOIS 10-digit administrative dong code.",
            "행정기관코드",
            required=True,
            unique=True,
            pattern=r"11\d{8}",
        ),
        Field("kostat_cd7", "string", "KOSTAT 7-digit dong code.", "통계청 행정동코드", pattern=r"\d{7}"),
        Field("kostat_cd8", "string", "KOSTAT 8-digit dong code.", pattern=r"\d{8}"),
        Field(
            "gu_code",
            "string",
            "MOIS 5-digit code of the gu the dong belongs to.",
            "자치구코드",
            required=True,
            pattern=r"11\d{3}",
        ),
        Field("gu_name", "string", "District name in Korean.", "자치구명", required=True),
        Field(
            "dong_name",
            "string",
            "Dong name in Korean, official spelling (e.g. 상일제1동).",
            "행정동명",
            required=True,
        ),
        Field(
            "centroid_lat",
            "number",
            "Centroid latitude (KOSTAT 2013 polygons, datum-corrected), or our placement.",
            unit="degrees (WGS84)",
        ),
        Field("centroid_lon", "number", "Centroid longitude.", unit="degrees (WGS84)"),
        Field(
            "centroid_placed",
            "boolean",
            "True for the four dongs created after 2013 (항동, 위례동, 상일제1동, 상일제2동) whose centroid we placed by estimate.",
        ),
        Field("geometry", "geojson", "Approximate polygon (see notes)."),
    ]


def _pop_fields() -> list[Field]:
    return [
        Field(
            "dong_code",
            "string",
            "MOIS 8-digit administrative dong code.",
            "행정동코드",
            required=True,
            unique=True,
            pattern=r"11\d{6}",
        ),
        Field("gu_code", "string", "MOIS 5-digit gu code.", "자치구코드", required=True),
        Field(
            "population",
            "integer",
            "Resident population (synthetic split of the gu's 2024 figure).",
            "인구",
            unit="persons",
            minimum=0,
        ),
        Field("pop_0_14", "integer", "Residents aged 0-14 (synthetic).", unit="persons", minimum=0),
        Field("pop_15_64", "integer", "Residents aged 15-64 (synthetic).", unit="persons", minimum=0),
        Field(
            "pop_65_plus",
            "integer",
            "Residents aged 65 and over (synthetic; city share about 18.5 %).",
            "65세 이상",
            unit="persons",
            minimum=0,
        ),
        Field(
            "households",
            "integer",
            "Households (synthetic; about 2.2 persons per household).",
            "세대수",
            unit="households",
            minimum=0,
        ),
        Field(
            "land_use",
            "string",
            "Dominant character used by the simulation: business, mixed or residential.",
            enum=("business", "mixed", "residential"),
            categorical=True,
        ),
        Field(
            "daytime_ratio",
            "number",
            "Weekday daytime population / residents, used to drive living population (synthetic).",
            minimum=0,
        ),
    ]


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
    sources = [FACTS_SOURCE, SEOUL_MAPS, ADMDONG, MARGINALIA]
    return [
        Output(
            Resource(
                name="districts",
                dataset=DATASET,
                title="Seoul's 25 autonomous districts (자치구)",
                description="The 25 gu with both code systems (MOIS and KOSTAT), names, official area, 2024 population and approximate polygons.",
                path="geography/districts.geojson",
                format="geojson",
                provenance="derived",
                schema=Schema(_gu_fields(), ["gu_code"]),
                imitates="서울시 자치구 경계 (district boundaries, e.g. OA-11677)",
                oa="OA-11677",
                sources=sources,
                notes=[
                    GEOM_NOTE,
                    "Population 2024 is from a secondary source (registered incl. foreigners).",
                ],
            ),
            gu_gdf,
        ),
        Output(
            Resource(
                name="dongs",
                dataset=DATASET,
                title="Seoul's 426 administrative dongs (행정동)",
                description="All 426 administrative dongs (list of 2022-03-09) with MOIS and KOSTAT codes, names, gu, centroid and approximate polygons nested in their gu.",
                path="geography/dongs.geojson",
                format="geojson",
                provenance="derived",
                schema=Schema(_dong_fields(), ["dong_code"]),
                imitates="행정동 경계 (administrative dong boundaries, SGIS / admdongkor)",
                sources=sources,
                notes=[GEOM_NOTE, "Four dongs have placed centroids (centroid_placed = true)."],
            ),
            dong_gdf,
        ),
        Output(
            Resource(
                name="dong_population",
                dataset=DATASET,
                title="Resident population by dong (synthetic)",
                description="A synthetic split of each gu's 2024 registered population over its dongs, with age groups, households and the land-use character that drives the simulated living population.",
                path="geography/dong_population.csv",
                format="csv",
                provenance="synthetic",
                schema=Schema(_pop_fields(), ["dong_code"]),
                imitates="주민등록 인구 (resident registration population by dong)",
                sources=[FACTS_SOURCE, MARGINALIA],
                notes=["Gu totals are the 2024 figures; the split over dongs is synthetic."],
            ),
            pop_df,
        ),
    ]
