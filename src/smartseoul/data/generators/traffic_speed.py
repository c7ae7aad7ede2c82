"""traffic_speed: hourly speeds on about 100 major road links, November 2019 and November 2020.

Synthetic, shaped like TOPIS's 서울시 차량통행속도 (monthly, one row per link per day, ~01시 ...
~24시). Real road names and approximate end points; speeds follow the published magnitudes
(downtown ~19 km/h, urban expressways ~55, network ~25), slow down at rush hours (Friday
evening worst, Monday the worst morning) and in the shared weather's rain, and rise a little
in the COVID-era month when there was less traffic."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString

from .. import city, definitions
from ..schema import Field
from ..spec import Output

DATASET = "traffic_speed"
MONTHS = ("2019-11", "2020-11")  # one month before COVID, one during distancing


def road_nodes() -> dict[str, tuple[float, float]]:
    """Approximate positions (lat, lon) of the intersections, stations and bridge ends used as link ends."""
    table = city.reference_table("seoul_road_nodes.csv")
    return {
        node: (float(lat), float(lon)) for node, lat, lon in zip(table["node"], table["lat"], table["lon"])
    }


def major_roads() -> list[tuple[str, str, bool, list[str]]]:
    """Road name, road type, downtown?, and the chain of nodes the road runs through."""
    table = city.reference_table("seoul_major_roads.csv")
    return [
        (row.road_name, row.road_type, row.downtown == "true", row.nodes.split(" – "))
        for row in table.itertuples(index=False)
    ]


#: The three slowest roads named in the facts (2015): kept slower than their class.
SLOW_ROADS = {"남대문로": 0.80, "나루터로": 0.69, "마른내로": 0.93}

ROAD_TYPE_EN = {
    "도시고속도로": "urban_expressway",
    "주간선도로": "main_arterial",
    "보조간선도로": "minor_arterial",
}
#: November mean speed targets (km/h) by class; from the facts' 2014-2017 figures, rounded.
TARGET = {"urban_expressway": 56.0, "main_arterial": 25.0, "minor_arterial": 22.5, "downtown": 19.0}
ZONES = {
    "도심권": ["11110", "11140", "11170"],
    "동북권": ["11200", "11215", "11230", "11260", "11290", "11305", "11320", "11350"],
    "서북권": ["11380", "11410", "11440"],
    "서남권": ["11470", "11500", "11530", "11545", "11560", "11590", "11620"],
    "동남권": ["11650", "11680", "11710", "11740"],
}
WEEKDAY_KO = np.array(["월", "화", "수", "목", "금", "토", "일"])

# relative speed by hour (0 = the hour 00-01, shown as ~01시), before class scaling
WORKDAY = np.array(
    [
        1.40,
        1.45,
        1.48,
        1.48,
        1.45,
        1.33,
        1.12,
        0.88,
        0.83,
        0.90,
        0.95,
        0.94,
        0.95,
        0.94,
        0.93,
        0.91,
        0.88,
        0.81,
        0.79,
        0.85,
        0.93,
        1.00,
        1.08,
        1.22,
    ]
)
DAY_OFF = np.array(
    [
        1.42,
        1.46,
        1.48,
        1.48,
        1.46,
        1.40,
        1.30,
        1.20,
        1.10,
        1.00,
        0.94,
        0.90,
        0.89,
        0.89,
        0.89,
        0.89,
        0.89,
        0.88,
        0.90,
        0.95,
        1.00,
        1.08,
        1.15,
        1.26,
    ]
)


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(np.radians, (a[0], a[1], b[0], b[1]))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return float(2 * 6_371_000 * np.arcsin(np.sqrt(h)))


def links(ctx) -> gpd.GeoDataFrame:
    """One row per directed link: both directions of every segment of the major roads."""
    rng = ctx.rng("traffic_links")
    nodes = road_nodes()
    hall = nodes["시청"]
    rows = []
    seg = 0
    for road, rtype, downtown, chain in major_roads():
        for a, b in itertools.pairwise(chain):
            seg += 1
            length = _haversine_m(nodes[a], nodes[b]) * rng.uniform(1.05, 1.15)
            lanes = {"도시고속도로": (3, 5), "주간선도로": (3, 6), "보조간선도로": (2, 4)}[rtype]
            n_lanes = int(rng.integers(lanes[0], lanes[1] + 1))
            for k, (s, e) in enumerate(((a, b), (b, a))):
                inbound = _haversine_m(nodes[e], hall) < _haversine_m(nodes[s], hall)
                rows.append(
                    {
                        "link_id": f"1{seg:05d}{k + 1}000",
                        "road_name": road,
                        "start_name": s,
                        "end_name": e,
                        "direction": "유입" if inbound else "유출",
                        "length_m": round(length),
                        "lanes": n_lanes,
                        "road_type": ROAD_TYPE_EN[rtype],
                        "road_type_ko": rtype,
                        "area_type": "downtown" if downtown else "outer",
                        "area_type_ko": "도심" if downtown else "외곽",
                        "start_lat": nodes[s][0],
                        "start_lon": nodes[s][1],
                        "end_lat": nodes[e][0],
                        "end_lon": nodes[e][1],
                    }
                )
    df = pd.DataFrame(rows)
    geom = [LineString([(r.start_lon, r.start_lat), (r.end_lon, r.end_lat)]) for r in df.itertuples()]
    gdf = gpd.GeoDataFrame(df, geometry=geom, crs=city.CRS_WGS84)
    # which gu: the one that holds the link's midpoint (nearest gu if it falls on an edge)
    gu = ctx.get("geography", "districts")[["gu_code", "name_ko", "geometry"]].to_crs(city.CRS_METRIC)
    mid = gpd.GeoDataFrame(
        geometry=gdf.to_crs(city.CRS_METRIC).geometry.interpolate(0.5, normalized=True), crs=city.CRS_METRIC
    )
    joined = gpd.sjoin_nearest(mid, gu, how="left").groupby(level=0).first()
    gdf["gu_code"] = joined["gu_code"].to_numpy()
    gdf["gu_name"] = joined["name_ko"].to_numpy()
    zone_of = {code: zone for zone, codes in ZONES.items() for code in codes}
    gdf["zone_ko"] = gdf["gu_code"].map(zone_of)
    cols = [
        "link_id",
        "road_name",
        "start_name",
        "end_name",
        "direction",
        "length_m",
        "lanes",
        "road_type",
        "road_type_ko",
        "area_type",
        "area_type_ko",
        "zone_ko",
        "gu_code",
        "gu_name",
        "start_lat",
        "start_lon",
        "end_lat",
        "end_lon",
        "geometry",
    ]
    return gdf[cols]


def speeds(ctx, link_df: pd.DataFrame) -> pd.DataFrame:
    """Hourly mean speed (km/h) per link for the two months, long form."""
    rng = ctx.rng("traffic_speed")
    weather = ctx.get("weather", "weather_hourly")
    cal = city.calendar().set_index("date")
    hours = pd.DatetimeIndex(
        np.concatenate(
            [
                pd.date_range(f"{m}-01", periods=pd.Period(m).days_in_month * 24, freq="h", tz=city.TZ)
                for m in MONTHS
            ]
        )
    )
    days = hours.tz_localize(None).normalize()
    hour = hours.hour.to_numpy()
    weekday = hours.day_of_week.to_numpy()
    day_off = cal["is_day_off"].reindex(days).to_numpy()
    prof = np.where(day_off, DAY_OFF[hour], WORKDAY[hour])
    prof = np.where((weekday == 6) & day_off, prof * 1.03, prof)  # Sunday lightest
    prof = np.where(
        ~day_off & (weekday == 0) & (hour >= 7) & (hour <= 9), prof * 0.93, prof
    )  # Monday morning
    prof = np.where(
        ~day_off & (weekday == 4) & (hour >= 16) & (hour <= 20), prof * 0.90, prof
    )  # Friday evening
    # rain: wet hours slow everything, and a wet day stays slow
    w = weather.set_index("datetime").reindex(hours)
    rain_h = w["rain_mm"].fillna(0.0).to_numpy()
    rain_day = pd.Series(rain_h, index=days).groupby(level=0).transform("sum").to_numpy()
    rain_f = np.where(rain_h >= 0.1, 0.91 - 0.012 * np.minimum(rain_h, 15), 1.0) * np.where(
        rain_day >= 1.0, 0.96, 1.0
    )
    # COVID-era month: a little less traffic, so a little faster, most in the evening
    traffic = city.activity_factor(days, "traffic")
    covid_f = (
        1.0 + 0.8 * (1.0 - traffic) + np.where((hour >= 20) & (city.distancing_level(days) >= 2), 0.03, 0.0)
    )

    n_l, n_h = len(link_df), len(hours)
    rtype = link_df["road_type"].to_numpy()
    cls = np.where(link_df["area_type"].to_numpy() == "downtown", "downtown", rtype)
    base = np.array([TARGET[c] for c in cls]) * link_df["road_name"].map(SLOW_ROADS).fillna(1.0).to_numpy()
    base = base * np.exp(rng.normal(0.0, 0.08, n_l))
    depth = np.where(rtype == "urban_expressway", 1.5, 1.0)  # expressways swing harder at peaks
    shape = prof[None, :] ** depth[:, None]
    shape = shape / shape.mean(axis=1, keepdims=True)
    daily_noise = np.exp(rng.normal(0.0, 0.035, (n_l, n_h // 24))).repeat(24, axis=1)
    noise = np.exp(rng.normal(0.0, 0.05, (n_l, n_h)))
    incident = np.where(rng.random((n_l, n_h)) < 0.003, rng.uniform(0.35, 0.7, (n_l, n_h)), 1.0)
    v = base[:, None] * shape * (rain_f * covid_f)[None, :] * daily_noise * noise * incident
    soft = np.where(rtype == "urban_expressway", 72.0, 48.0)[:, None]  # free flow: speed limits bite
    v = np.where(v > soft, soft + 0.35 * (v - soft), v)
    vmax = np.where(rtype == "urban_expressway", 95.0, 70.0)
    v = np.clip(v, 3.0, vmax[:, None]).round(2)
    v[rng.random((n_l, n_h)) < 0.002] = np.nan  # detector gaps: blank in the raw file
    out = pd.DataFrame(
        {
            "link_id": np.repeat(link_df["link_id"].to_numpy(), n_h),
            "road_name": np.repeat(link_df["road_name"].to_numpy(), n_h),
            "road_type": np.repeat(rtype, n_h),
            "area_type": np.repeat(link_df["area_type"].to_numpy(), n_h),
            "datetime": pd.DatetimeIndex(np.tile(hours.tz_convert("UTC").tz_localize(None).to_numpy(), n_l))
            .tz_localize("UTC")
            .tz_convert(city.TZ),
            "speed_kmh": pd.array(v.ravel(), dtype="Float64"),  # gaps stored as nulls
        }
    )
    return out


def raw_month(link_df: pd.DataFrame, sp: pd.DataFrame, month: str) -> bytes:
    """The TOPIS monthly layout: one row per link per day, ~01시 ... ~24시 (CP949 CSV)."""
    m = sp[sp["datetime"].dt.strftime("%Y-%m") == month]
    local = m["datetime"].dt.tz_localize(None)
    wide = (
        m.assign(day=local.dt.normalize(), hour=local.dt.hour)
        .pivot_table(
            index=["day", "link_id"], columns="hour", values="speed_kmh", aggfunc="first", dropna=False
        )
        .reindex(columns=range(24))
    )
    wide.columns = [f"~{h + 1:02d}시" for h in range(24)]
    wide = wide.reset_index()
    attrs = link_df.set_index("link_id")
    a = attrs.loc[wide["link_id"]].reset_index()
    front = pd.DataFrame(
        {
            "일자": wide["day"].dt.strftime("%Y%m%d"),
            "요일": WEEKDAY_KO[wide["day"].dt.day_of_week.to_numpy()],
            "도로명": a["road_name"],
            "링크아이디": wide["link_id"],
            "시점명": a["start_name"],
            "종점명": a["end_name"],
            "방향": a["direction"],
            "거리": a["length_m"],
            "차선수": a["lanes"],
            "기능유형구분": a["road_type_ko"],
            "도심/외곽구분": a["area_type_ko"],
            "권역구분": a["zone_ko"],
        }
    )
    table = pd.concat([front, wide[[f"~{h + 1:02d}시" for h in range(24)]]], axis=1)
    return table.to_csv(index=False, lineterminator="\r\n").encode("cp949")


def hour_speed_fields() -> list[Field]:
    """The raw file's 24 speed columns, ~01시 ... ~24시."""
    return [
        Field(
            f"~{h:02d}시",
            "number",
            f"Mean speed in the hour ending at {h:02d}:00 (blank: no data).",
            f"~{h:02d}시",
            unit="km/h",
            minimum=0,
        )
        for h in range(1, 25)
    ]


def build(ctx) -> list[Output]:
    link_gdf = links(ctx)
    sp = speeds(ctx, link_gdf)
    outs = [
        Output(definitions.resource(DATASET, "traffic_links"), link_gdf),
        Output(definitions.resource(DATASET, "traffic_speed_hourly"), sp),
    ]
    for month in MONTHS:
        raw = definitions.resource(
            DATASET, f"traffic_speed_raw_{month.replace('-', '')}", {"hour_speeds": hour_speed_fields()}
        )
        outs.append(Output(raw, raw_month(link_gdf, sp, month)))
    return outs
