"""late_night_demand: the Owl Bus case (2013). A hexagon grid with late-night (00-05 h) call
and taxi demand, and the nine Owl Bus routes as approximate lines.

Seoul planned its night buses by joining 3 billion late-night KT call/SMS records (March 2013)
with about 5 million taxi pick-up/drop-off records from one week, on 1,252 hexagons. We rebuild
that analysis on synthetic counts: the hot spots sit where the city reported them (홍대·합정,
동대문, 신림역, 역삼·강남, 시청·종로), taxi drop-offs spread towards where people live (the one
shared dong population), and the routes follow the corridors the city published."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon

from .. import city, definitions
from ..spec import Output

DATASET = "late_night_demand"

#: Hexagon circumradius (m). The real study used 1,252 hexagons "of 500 m radius"; over our
#: 55-vertex outline a 450 m circumradius gives about the same number of cells (~1,250).
HEX_RADIUS_M = 450.0
MIN_SHARE_IN_SEOUL = 0.05

#: The call-data month and the taxi week are placed in March 2013, as in the real study; the
#: exact week of the real taxi extract is not documented in our sources, so this week is ours.
WEEK = pd.date_range("2013-03-18", "2013-03-24", freq="D")  # Monday .. Sunday
HOURS = np.arange(5)  # 00, 01, 02, 03, 04 h (00:00-04:59)
CALL_RECORDS_TOTAL = 3_000_000_000  # the study's "3 billion" KT call/SMS records, March 2013
TAXI_RECORDS_TOTAL = 5_000_000  # the study's "about 5 million" taxi pick-up/drop-off records

#: Late-night hot spots: (key, Korean label, lat, lon, weight, spread in m, primary?).
#: Primary spots are the five the city named; coordinates are our approximate station positions.
HOT_SPOTS = [
    ("gangnam", "역삼·강남", 37.4990, 127.0320, 1.00, 750, True),
    ("hongdae", "홍대·합정", 37.5540, 126.9200, 0.95, 700, True),
    ("jongno", "시청·종로", 37.5690, 126.9850, 0.85, 800, True),
    ("dongdaemun", "동대문", 37.5680, 127.0090, 0.72, 600, True),
    ("sillim", "신림역", 37.4842, 126.9297, 0.70, 550, True),
    ("konkuk", "건대입구", 37.5404, 127.0692, 0.40, 450, False),
    ("yeongdeungpo", "영등포", 37.5170, 126.9060, 0.38, 500, False),
    ("jamsil", "잠실", 37.5133, 127.1000, 0.32, 550, False),
    ("sinchon", "신촌", 37.5560, 126.9370, 0.35, 450, False),
    ("nowon", "노원", 37.6551, 127.0613, 0.28, 450, False),
    ("yeonsinnae", "연신내", 37.6190, 126.9210, 0.24, 400, False),
    ("itaewon", "이태원", 37.5345, 126.9946, 0.26, 400, False),
    ("sadang", "사당", 37.4766, 126.9816, 0.24, 400, False),
    ("cheonho", "천호", 37.5387, 127.1236, 0.22, 400, False),
    ("guro_digital", "구로디지털단지", 37.4852, 126.9015, 0.20, 400, False),
    ("suyu", "수유", 37.6380, 127.0257, 0.20, 400, False),
    ("cheongnyangni", "청량리", 37.5802, 127.0470, 0.18, 400, False),
    ("sinsa", "신사·압구정", 37.5200, 127.0230, 0.22, 500, False),
]


def owl_bus_places() -> dict[str, tuple[float, float]]:
    """Approximate waypoints (lat, lon) by place name; our own estimates of station positions."""
    table = city.reference_table("owl_bus_places.csv")
    return {
        place: (float(lat), float(lon)) for place, lat, lon in zip(table["place"], table["lat"], table["lon"])
    }


def owl_bus_routes() -> list[tuple[str, str, str, bool, list[str]]]:
    """The nine routes of 2013-09-12: id, English and Korean name, pilot route?, waypoints in order.
    Termini and the 'via' places in capitals of the city's own list
    (mediahub.seoul.go.kr/archives/173106) are real; the intermediate waypoints are our
    approximation of each corridor."""
    table = city.reference_table("owl_bus_routes_2013.csv")
    return [
        (row.route_id, row.name_en, row.name_ko, row.pilot == "true", row.via.split(" – "))
        for row in table.itertuples(index=False)
    ]


# -- geometry ---------------------------------------------------------------------------------
def _metric(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    pts = gpd.GeoSeries(
        gpd.points_from_xy(np.atleast_1d(lon), np.atleast_1d(lat)), crs=city.CRS_WGS84
    ).to_crs(city.CRS_METRIC)
    return pts.x.to_numpy(), pts.y.to_numpy()


def hex_grid(outline_m: Polygon, radius: float = HEX_RADIUS_M) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat-topped hexagons over the outline: centres (x, y), polygons, share inside Seoul."""
    minx, miny, maxx, maxy = outline_m.bounds
    dx, dy = 1.5 * radius, np.sqrt(3.0) * radius
    cols = np.arange(minx - radius, maxx + 2 * radius, dx)
    rows = np.arange(miny - dy, maxy + dy, dy)
    cx = np.repeat(cols, len(rows))
    cy = np.tile(rows, len(cols)) + np.repeat((np.arange(len(cols)) % 2) * dy / 2, len(rows))
    ang = np.arange(6) * np.pi / 3
    rings = np.stack([cx[:, None] + radius * np.cos(ang), cy[:, None] + radius * np.sin(ang)], axis=-1)
    polys = shapely.polygons(rings)
    share = shapely.area(shapely.intersection(polys, outline_m)) / shapely.area(polys)
    keep = share >= MIN_SHARE_IN_SEOUL
    # stable order: south to north, then west to east
    order = np.lexsort((cx[keep], np.round(cy[keep], 1)))
    return np.c_[cx[keep], cy[keep]][order], polys[keep][order], share[keep][order]


def _kernel(x, y, spots) -> np.ndarray:
    """Nightlife intensity: sum of Gaussian bumps at the hot spots, one column per spot."""
    sx, sy = _metric([s[2] for s in spots], [s[3] for s in spots])
    w = np.array([s[4] for s in spots])
    sig = np.array([s[5] for s in spots], dtype=float)
    d2 = (x[:, None] - sx[None, :]) ** 2 + (y[:, None] - sy[None, :]) ** 2
    return w[None, :] * np.exp(-d2 / (2 * sig[None, :] ** 2))


def _largest_int_split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to weights that add up exactly to total."""
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(np.int64)
    rest = int(total - out.sum())
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


# -- the synthetic city at night ----------------------------------------------------------------
def simulate(ctx):
    dongs = ctx.get("geography", "dongs")
    pop = ctx.get("geography", "dong_population")
    rng = ctx.rng("late_night_demand")
    outline = gpd.GeoSeries([Polygon(city.OUTLINE)], crs=city.CRS_WGS84).to_crs(city.CRS_METRIC).iloc[0]
    centres, polys, share = hex_grid(outline)
    x, y = centres[:, 0], centres[:, 1]
    n = len(x)

    # the dong (and so gu) of each centre; centres outside Seoul take the dong they overlap most
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=city.CRS_METRIC)
    joined = gpd.sjoin(pts, dongs[["dong_code", "gu_code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    dong_code = joined["dong_code"].to_numpy(dtype=object)
    missing = np.flatnonzero(pd.isna(dong_code))
    if len(missing):
        hexes = gpd.GeoDataFrame({"i": missing}, geometry=list(polys[missing]), crs=city.CRS_METRIC)
        ov = gpd.overlay(hexes, dongs[["dong_code", "geometry"]], how="intersection", keep_geom_type=True)
        ov["a"] = ov.geometry.area
        best = ov.sort_values(["i", "a", "dong_code"], ascending=[True, False, True]).drop_duplicates("i")
        dong_code[best["i"].to_numpy()] = best["dong_code"].to_numpy()
    gu_of = dict(zip(dongs["dong_code"], dongs["gu_code"]))
    gu_code = np.array([gu_of[d] for d in dong_code], dtype=object)

    # residents near each hex: density of its dong (persons per km2) times the cell's land share
    area_km2 = dongs.set_index("dong_code").geometry.area / 1e6
    density = (pop.set_index("dong_code")["population"] / area_km2).reindex(dong_code).to_numpy()
    # compressed: a very dense residential dong is not a nightlife district
    resid = np.clip(np.sqrt(density / np.nanmedian(density)), 0.0, 2.0) * share
    resid = resid * rng.lognormal(0.0, 0.2, n)

    k = _kernel(x, y, HOT_SPOTS)
    night = k.sum(axis=1)
    noise = rng.lognormal(0.0, 0.18, (3, n))
    w_pick = (0.04 * resid + night + 0.004) * noise[0]
    w_drop = (0.40 * resid + 0.30 * night + 0.004) * noise[1]
    w_call = (0.12 * resid + night + 0.01) * noise[2]

    # the week: hour-of-night and night-of-week profiles (Fri and Sat nights busiest)
    dow_factor = np.array([0.82, 0.88, 0.93, 1.00, 1.08, 1.45, 1.28])  # Mon..Sun mornings 00-05 h
    hour_pick = np.array([0.34, 0.28, 0.19, 0.12, 0.07])
    hour_drop = np.array([0.29, 0.29, 0.21, 0.13, 0.08])
    # nightlife cells empty later on weekends: their share of 02-04 h is higher
    nl = night / (night + 0.15 * resid + 1e-9)
    late = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
    weekend = np.isin(WEEK.day_of_week, [5, 6]).astype(float)

    def expected(w_hex, hour_prof, total):
        e = (
            w_hex[:, None, None]
            * dow_factor[None, :, None]
            * hour_prof[None, None, :]
            * (1 + (0.15 + 0.35 * weekend)[None, :, None] * nl[:, None, None] * late[None, None, :])
        )
        return e / e.sum() * total

    pick_total = int(TAXI_RECORDS_TOTAL * 0.52)  # some trips end outside Seoul
    drop_total = TAXI_RECORDS_TOTAL - pick_total
    pickups = rng.poisson(expected(w_pick, hour_pick, pick_total))
    dropoffs = rng.poisson(expected(w_drop, hour_drop, drop_total))

    call_records = _largest_int_split(CALL_RECORDS_TOTAL, w_call)
    hex_id = np.array([f"HX{i + 1:04d}" for i in range(n)])
    lon_lat = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=city.CRS_METRIC).to_crs(city.CRS_WGS84)
    spot_idx = k.argmax(axis=1)
    near = np.where(k.max(axis=1) > 0.05 * np.array([s[4] for s in HOT_SPOTS])[spot_idx], spot_idx, -1)

    hexes = gpd.GeoDataFrame(
        {
            "hex_id": hex_id,
            "centre_lat": np.round(lon_lat.y.to_numpy(), 5),
            "centre_lon": np.round(lon_lat.x.to_numpy(), 5),
            "gu_code": gu_code.astype(str),
            "dong_code": dong_code.astype(str),
            "share_in_seoul": np.round(share, 3),
            "calls": np.round(call_records / call_records.mean() * 100, 1),
            "call_records": call_records,
            "taxi_pickups": pickups.sum(axis=(1, 2)),
            "taxi_dropoffs": dropoffs.sum(axis=(1, 2)),
            "nearest_hot_spot": np.array([HOT_SPOTS[i][1] if i >= 0 else "" for i in near]),
        },
        geometry=list(polys),
        crs=city.CRS_METRIC,
    )
    hexes["nearest_hot_spot"] = hexes["nearest_hot_spot"].replace("", None)
    days = np.repeat(np.arange(len(WEEK)), len(HOURS))
    hourly = pd.DataFrame(
        {
            "hex_id": np.repeat(hex_id, len(WEEK) * len(HOURS)),
            "date": np.tile(WEEK.values[days], n).astype("datetime64[ns]"),
            "weekday": np.tile(WEEK.day_of_week.values[days], n).astype(np.int64),
            "hour": np.tile(np.tile(HOURS, len(WEEK)), n).astype(np.int64),
            "taxi_pickups": pickups.reshape(-1).astype(np.int64),
            "taxi_dropoffs": dropoffs.reshape(-1).astype(np.int64),
        }
    )

    # origin (where the late-night caller is) x home (billing address) by gu: a gravity model
    gu = city.gu_facts()
    gx, gy = _metric(gu["lat"].to_numpy(), gu["lon"].to_numpy())
    origin_w = pd.Series(call_records, index=gu_code).groupby(level=0).sum().reindex(gu["code"]).to_numpy()
    home_w = gu["population"].to_numpy(dtype=float)
    dist_km = np.hypot(gx[:, None] - gx[None, :], gy[:, None] - gy[None, :]) / 1000
    affinity = home_w[None, :] * np.exp(-dist_km / 9.0) * (1 + 2.5 * np.eye(len(gu)))
    affinity = affinity * rng.lognormal(0.0, 0.15, affinity.shape)
    flows = np.zeros_like(affinity, dtype=np.int64)
    for i in range(len(gu)):  # 25 origins: each origin's records split over home gu
        flows[i] = _largest_int_split(int(origin_w[i]), affinity[i])
    od = pd.DataFrame(
        {
            "origin_gu_code": np.repeat(gu["code"].to_numpy(), len(gu)),
            "home_gu_code": np.tile(gu["code"].to_numpy(), len(gu)),
            "call_records": flows.reshape(-1),
            "distance_km": np.round(dist_km.reshape(-1), 2),
        }
    )

    # the nine routes, as approximate lines through the waypoints
    places = owl_bus_places()
    recs, geoms, stops = [], [], []
    for rid, name_en, name_ko, pilot, via in owl_bus_routes():
        lat = np.array([places[p][0] for p in via])
        lon = np.array([places[p][1] for p in via])
        mx, my = _metric(lat, lon)
        line = LineString(np.c_[mx, my])
        geoms.append(line)
        recs.append(
            {
                "route_id": rid,
                "name_en": name_en,
                "name_ko": name_ko,
                "from_place": via[0],
                "to_place": via[-1],
                "via": " – ".join(via),
                "n_waypoints": len(via),
                "length_km": round(line.length / 1000, 1),
                "pilot_from": "2013-04" if pilot else None,
                "launch_date": "2013-09-12",
                "service_hours": "00:00-05:00",
                "fare_krw": 1850,
                "approximate": True,
            }
        )
        for seq, p in enumerate(via, start=1):
            stops.append(
                {"route_id": rid, "seq": seq, "place_ko": p, "lat": places[p][0], "lon": places[p][1]}
            )
    routes = gpd.GeoDataFrame(recs, geometry=geoms, crs=city.CRS_METRIC)
    waypoints = pd.DataFrame(stops)
    return hexes, hourly, od, routes, waypoints


#: Owl Bus network size after 2019 (the 2013 nine routes were re-arranged over the years; the
#: city ran nine routes until the April-May 2022 expansion to fourteen).
ROUTE_STEPS = [("2019-01-01", 9), ("2022-04-18", 12), ("2022-05-01", 14)]
RIDERS_2019 = 3_100_000 / 365  # ~3.1 million riders a year, as quoted in 2022 (year not stated)
TAXI_2019 = 340_000  # city-wide late-night pick-ups per night (synthetic, below the 2013 week)


def daily_series(ctx) -> pd.DataFrame:
    """City-wide late-night demand per day, 2019-2023, shaped by the shared weather, calendar and
    COVID drivers: distancing closed bars early, so late-night taxis collapsed; Owl Bus riders
    (many of them night workers) fell less; the 2022 expansion added capacity."""
    rng = ctx.rng("late_night_daily")
    weather = ctx.get("weather", "weather_daily")
    cal = city.calendar()
    dates = pd.DatetimeIndex(cal["date"])
    n = len(dates)
    w = weather.set_index("date").reindex(dates)
    # the hours 00-05 of a date belong to the night before: Saturday 01 h = Friday night
    dow = np.array([0.80, 0.86, 0.90, 0.95, 1.05, 1.42, 1.22])[dates.day_of_week]
    prev_off = np.r_[False, cal["is_day_off"].to_numpy()[:-1]]
    next_off = cal["is_day_off"].to_numpy()
    holiday_eve = (~prev_off) & next_off & (dates.day_of_week < 5)  # a weekday night before a day off
    dow = np.where(holiday_eve, np.maximum(dow, 1.25), dow)
    month = np.array([0.92, 0.9, 0.98, 1.0, 1.04, 1.02, 1.0, 0.98, 1.0, 1.03, 1.02, 1.12])[dates.month - 1]
    nightlife = city.activity_factor(dates, "nightlife")
    rain = w["rain_mm"].to_numpy()
    tmin = w["temp_min_c"].to_numpy()
    out_factor = np.where(rain >= 30, 0.75, np.where(rain >= 1, 0.88, 1.0)) * np.where(
        tmin < -8, 0.85, np.where(tmin < -3, 0.93, 1.0)
    )
    starts = pd.to_datetime([d for d, _ in ROUTE_STEPS]).values
    n_routes = np.array([k for _, k in ROUTE_STEPS])[np.searchsorted(starts, dates.values, side="right") - 1]
    capacity = 1 + 0.3 * (n_routes - 9) / 5  # more routes, more riders (15,000 -> 20,000 seats a night)
    trend = 1 + 0.015 * (dates.year - 2019)
    riders = RIDERS_2019 * trend * dow * month * (0.5 + 0.5 * nightlife) * out_factor * capacity
    riders = riders / np.mean((dow * month * out_factor)[dates.year == 2019])
    taxi = (
        TAXI_2019 * dow * month * nightlife * np.where(rain >= 1, 1.05, 1.0) * np.where(tmin < -8, 0.92, 1.0)
    )
    taxi = taxi / np.mean(
        (dow * month * np.where(rain >= 1, 1.05, 1.0) * np.where(tmin < -8, 0.92, 1.0))[dates.year == 2019]
    )
    return pd.DataFrame(
        {
            "date": dates.values.astype("datetime64[ns]"),
            "weekday": dates.day_of_week.astype(np.int64),
            "owl_bus_routes": n_routes.astype(np.int64),
            "owl_bus_riders": rng.poisson(riders * rng.lognormal(0, 0.05, n)).astype(np.int64),
            "taxi_pickups": rng.poisson(taxi * rng.lognormal(0, 0.04, n)).astype(np.int64),
        }
    )


def build(ctx) -> list[Output]:
    hexes, hourly, od, routes, waypoints = simulate(ctx)
    return [
        Output(definitions.resource(DATASET, "late_night_hexes"), hexes),
        Output(definitions.resource(DATASET, "late_night_hourly"), hourly),
        Output(definitions.resource(DATASET, "late_night_od"), od),
        Output(definitions.resource(DATASET, "late_night_daily"), daily_series(ctx)),
        Output(definitions.resource(DATASET, "owl_bus_routes"), routes),
        Output(definitions.resource(DATASET, "owl_bus_waypoints"), waypoints),
    ]
