"""sdot: S-DoT IoT sensors, their hourly readings for a summer and a winter month, and the
faults hidden in them (with a separate answer key for instructors).

Synthetic, shaped like 스마트서울 도시데이터 센서(S-DoT) 환경정보 (OA-15969): low-cost sensors on
poles, hourly averages of PM2.5, PM10, temperature, humidity, illuminance and noise. Readings
follow the shared hourly weather and the district's daily air quality, with local effects (heat
island in business districts, noise by site and hour, daylight and street lights), and about
7 % of the sensors misbehave: flat lines, gaps, spikes and drift."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import city, definitions
from ..spec import Output

DATASET = "sdot"
N_SENSORS = 1000  # in the sensor list (the real network had 850 by end-2019, more later)
N_READINGS = 600  # sensors whose readings are published here (to keep the file small)
MONTHS = ("2022-08", "2023-01")
RAW_DAY = "2022-08-10"
FAULT_SHARE = 0.07
MEASURES = ["pm25_ugm3", "pm10_ugm3", "temp_c", "humidity_pct", "illuminance_lux", "noise_db"]

SITE_TYPES = ("commercial", "roadside", "residential", "park")
#: chance of each site type by the dong's land use (commercial, roadside, residential, park)
SITE_MIX = {
    "business": (0.55, 0.30, 0.05, 0.10),
    "mixed": (0.30, 0.30, 0.30, 0.10),
    "residential": (0.10, 0.25, 0.50, 0.15),
}
HEAT_ISLAND = {"commercial": 1.6, "roadside": 1.2, "residential": 0.5, "park": -0.9}  # °C at night
GREEN_COOLING = 3.0  # °C cooler at night per unit of the dong's green share (0-1), around a 15 % share
NOISE_BASE = {"commercial": 60.0, "roadside": 64.0, "residential": 52.0, "park": 48.0}  # dB(A), daytime
LAND_WEIGHT = {"business": 5.0, "mixed": 1.8, "residential": 1.0}  # sensors per dong
# daylight: (sunrise, sunset) in hours and clear-sky peak illuminance (lux) per month
DAYLIGHT = {8: (5.8, 19.4, 70000.0), 1: (7.7, 17.6, 32000.0)}


# -- sensors ----------------------------------------------------------------------------------
def _points_in(poly, n: int, rng: np.random.Generator) -> np.ndarray:
    """n random points inside a polygon (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = poly.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        xy = np.column_stack([rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)])
        out = np.vstack([out, xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]])
    return out[:n]


def sensors(ctx) -> gpd.GeoDataFrame:
    rng = ctx.rng("sdot_sensors")
    dongs = ctx.get("geography", "dongs").to_crs(city.CRS_METRIC).reset_index(drop=True)
    pop = ctx.get("geography", "dong_population").set_index("dong_code")
    land = pop["land_use"].reindex(dongs["dong_code"]).to_numpy()
    area = dongs.geometry.area.to_numpy() / 1e6
    weight = np.array([LAND_WEIGHT[x] for x in land]) * area**0.35 * rng.lognormal(0, 0.3, len(dongs))
    counts = rng.multinomial(N_SENSORS, weight / weight.sum())
    xs, dong_of = [], []
    for i in np.flatnonzero(counts):
        xs.append(_points_in(dongs.geometry.iloc[i], int(counts[i]), rng))
        dong_of += [i] * int(counts[i])
    xy = np.vstack(xs)
    idx = np.array(dong_of)
    pts = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=city.CRS_METRIC).to_crs(city.CRS_WGS84)
    # serial numbers: the first 850 are the 2019 roll-out, the rest came later
    order = rng.permutation(N_SENSORS)
    batch_a = order < 850
    serial = np.array([f"V02Q1940{k + 1:03d}" if k < 850 else f"V02Q2030{k - 849:03d}" for k in order])
    install = np.where(
        batch_a,
        pd.Timestamp("2019-03-01") + pd.to_timedelta(rng.integers(0, 300, N_SENSORS), unit="D"),
        pd.Timestamp("2020-04-01") + pd.to_timedelta(rng.integers(0, 600, N_SENSORS), unit="D"),
    )
    site = np.array([rng.choice(SITE_TYPES, p=SITE_MIX[land[i]]) for i in idx])
    gdf = gpd.GeoDataFrame(
        {
            "serial": serial,
            "model_name": np.where(batch_a, "SDOT-ENV-A", "SDOT-ENV-B"),
            "install_date": pd.to_datetime(install).astype("datetime64[ns]"),
            "site_type": site,
            "gu_code": dongs["gu_code"].to_numpy()[idx],
            "gu_name": dongs["gu_name"].to_numpy()[idx],
            "dong_code": dongs["dong_code"].to_numpy()[idx],
            "dong_name": dongs["dong_name"].to_numpy()[idx],
            "land_use": land[idx],
            "lat": pts.y.round(5).to_numpy(),
            "lon": pts.x.round(5).to_numpy(),
        },
        geometry=gpd.points_from_xy(pts.x.round(5), pts.y.round(5)),
        crs=city.CRS_WGS84,
    )
    # gu and dong from a real spatial join of the (rounded) points with the dong polygons
    joined = gpd.sjoin_nearest(
        gdf.to_crs(city.CRS_METRIC)[["geometry"]],
        dongs[["dong_code", "gu_code", "gu_name", "dong_name", "geometry"]],
    )
    joined = joined[~joined.index.duplicated(keep="first")].reindex(gdf.index)
    for col in ("gu_code", "gu_name", "dong_code", "dong_name"):
        gdf[col] = joined[col].to_numpy()
    gdf["land_use"] = pop["land_use"].reindex(gdf["dong_code"]).to_numpy()
    gdf = gdf.sort_values("serial").reset_index(drop=True)
    chosen = np.sort(rng.choice(N_SENSORS, N_READINGS, replace=False))
    gdf["in_readings"] = np.isin(np.arange(N_SENSORS), chosen)
    gdf["install_date"] = gdf["install_date"].dt.strftime("%Y-%m-%d")
    return gdf


# -- readings ---------------------------------------------------------------------------------
def _hours() -> pd.DatetimeIndex:
    return pd.DatetimeIndex(
        np.concatenate(
            [
                pd.date_range(f"{m}-01", periods=pd.Period(m).days_in_month * 24, freq="h", tz=city.TZ)
                for m in MONTHS
            ]
        )
    )


def _ar1_rows(rng: np.random.Generator, shape: tuple[int, int], phi: float, sd: float) -> np.ndarray:
    eps = rng.normal(0.0, sd * np.sqrt(1 - phi**2), shape)
    out = np.empty(shape)
    out[:, 0] = rng.normal(0.0, sd, shape[0])
    for t in range(1, shape[1]):
        out[:, t] = phi * out[:, t - 1] + eps[:, t]
    return out


def true_readings(ctx, sens: pd.DataFrame) -> dict[str, np.ndarray]:
    """What healthy sensors would report: (sensor x hour) arrays for the six measures."""
    rng = ctx.rng("sdot_readings")
    hours = _hours()
    n_s, n_h = len(sens), len(hours)
    w = ctx.get("weather", "weather_hourly").set_index("datetime").reindex(hours)
    hour = hours.hour.to_numpy()
    days = hours.tz_localize(None).normalize()
    day_off = city.calendar().set_index("date")["is_day_off"].reindex(days).to_numpy()
    rain = w["rain_mm"].to_numpy()
    site = sens["site_type"].to_numpy()

    # temperature: city weather + heat island (strongest at night) + exposure + noise
    night = ((hour >= 20) | (hour <= 6)).astype(float)
    island = np.array([HEAT_ISLAND[s] for s in site]) + rng.normal(0, 0.35, n_s)
    # greener dongs cool down more at night (weaker than the site itself: cooling reaches a few hundred metres)
    green = ctx.get("facilities", "green_space").set_index("dong_code")["green_share"]
    island = island - GREEN_COOLING * (
        green.reindex(sens["dong_code"]).fillna(green.median()).to_numpy() - 0.15
    )
    exposure = rng.normal(0.3, 0.4, n_s)  # sensors in the sun read warm by day
    sun = np.zeros(n_h)
    lux_clear = np.zeros(n_h)
    for mon, (rise, set_, peak) in DAYLIGHT.items():
        m = hours.month == mon
        x = (hour[m] + 0.5 - rise) / (set_ - rise)
        s = np.where((x > 0) & (x < 1), np.sin(np.pi * np.clip(x, 0, 1)), 0.0)
        sun[m] = s
        lux_clear[m] = peak * s
    temp = (
        w["temp_c"].to_numpy()[None, :]
        + island[:, None] * (0.45 + 0.55 * night)[None, :]
        + exposure[:, None] * sun[None, :]
        + rng.normal(0, 0.3, (n_s, n_h))
    )
    humid = np.clip(
        w["humidity_pct"].to_numpy()[None, :]
        - 2.5 * island[:, None] * (0.45 + 0.55 * night)[None, :]
        + rng.normal(0, 2.0, n_s)[:, None]
        + rng.normal(0, 1.5, (n_s, n_h)),
        8,
        100,
    )

    # noise: by site type and hour of day; quieter weekend mornings; rain adds a little
    hourly_db = np.array(
        [-8, -10, -11, -11, -10, -7, -3, 1, 2, 1, 0, 0, 0, 0, 0, 0, 1, 2, 2, 1, 0, -2, -4, -6], dtype=float
    )
    base = np.array([NOISE_BASE[s] for s in site]) + rng.normal(0, 2.0, n_s)
    evening = np.where(site == "commercial", 1.0, 0.0)[:, None] * ((hour >= 19) & (hour <= 23))[None, :] * 4.0
    noise = (
        base[:, None]
        + hourly_db[hour][None, :]
        - 2.5 * (day_off & (hour < 11))[None, :]
        + 1.5 * (rain > 0.5)[None, :]
        + evening
        + rng.normal(0, 1.3, (n_s, n_h))
    )

    # illuminance: daylight under clouds and shade; street lights at night
    cloud = np.exp(rng.normal(-0.3, 0.35, len(np.unique(days))))[pd.factorize(days)[0]]
    cloud = np.where(rain > 0.1, 0.2, np.minimum(cloud, 1.0))
    shade = rng.uniform(0.15, 1.0, n_s)
    street = rng.uniform(5, 45, n_s)
    lux = np.maximum(
        lux_clear[None, :] * cloud[None, :] * shade[:, None] * np.exp(rng.normal(0, 0.15, (n_s, n_h))),
        street[:, None] * (sun[None, :] < 0.05) + rng.uniform(0, 2, (n_s, n_h)),
    )

    # particles: the gu's daily air quality, a daily cycle, low-cost sensor bias and humidity artefact
    aq = ctx.get("air_quality", "air_quality_daily")
    aq = aq[aq["date"].isin(days.unique())].astype({"pm25_ugm3": "float64", "pm10_ugm3": "float64"})
    city_day = aq.groupby("date")[["pm25_ugm3", "pm10_ugm3"]].transform("mean")
    aq = aq.assign(
        pm25=aq["pm25_ugm3"].fillna(city_day["pm25_ugm3"]), pm10=aq["pm10_ugm3"].fillna(city_day["pm10_ugm3"])
    )
    pm25_day = aq.pivot(index="gu_code", columns="date", values="pm25")
    pm10_day = aq.pivot(index="gu_code", columns="date", values="pm10")
    gi = pm25_day.index.get_indexer(sens["gu_code"])
    di = pm25_day.columns.get_indexer(days)
    pm25_base = pm25_day.to_numpy()[gi][:, di]
    ratio = (pm10_day.to_numpy() / pm25_day.to_numpy())[gi][:, di]
    cycle = np.array(
        [
            1.05,
            1.0,
            0.95,
            0.92,
            0.92,
            0.95,
            1.0,
            1.08,
            1.12,
            1.1,
            1.02,
            0.96,
            0.92,
            0.9,
            0.9,
            0.92,
            0.95,
            1.0,
            1.04,
            1.06,
            1.08,
            1.1,
            1.1,
            1.08,
        ]
    )[hour]
    roadside = np.where(site == "roadside", 1.12, 1.0)
    bias = rng.lognormal(0.05, 0.15, n_s) * roadside
    swell = 1.0 + 0.025 * np.clip(humid - 70.0, 0, None)  # optical sensors over-read in humid air
    shared = np.exp(_ar1_rows(rng, (1, n_h), 0.85, 0.25))
    pm25 = (
        pm25_base * cycle[None, :] * shared * bias[:, None] * swell * np.exp(rng.normal(0, 0.12, (n_s, n_h)))
    )
    pm10 = pm25 * ratio * np.exp(rng.normal(0, 0.08, (n_s, n_h)))
    return {
        "pm25_ugm3": pm25,
        "pm10_ugm3": np.maximum(pm10, pm25),
        "temp_c": temp,
        "humidity_pct": humid,
        "illuminance_lux": lux,
        "noise_db": noise,
    }


def inject_faults(ctx, vals: dict[str, np.ndarray], serials: np.ndarray, hours: pd.DatetimeIndex):
    """Break about 7 % of sensors; return the mask of missing hours and the answer key."""
    rng = ctx.rng("sdot_faults")
    n_s, n_h = vals["temp_c"].shape
    missing = np.zeros((n_s, n_h), dtype=bool)
    month_of = np.array([MONTHS.index(m) for m in hours.strftime("%Y-%m")])
    faulty = np.sort(rng.choice(n_s, round(FAULT_SHARE * n_s), replace=False))
    kinds = np.array(["flatline", "gap", "spike", "drift"])[np.arange(len(faulty)) % 4]
    rng.shuffle(kinds)
    truth: list[tuple[str, int, str, str, int]] = []
    episode = 0
    for s, kind in zip(faulty, kinds):
        for month in sorted(rng.choice(len(MONTHS), int(rng.integers(1, 3)), replace=False)):
            episode += 1
            span = np.flatnonzero(month_of == month)
            if kind == "flatline":
                measure = str(rng.choice(["temp_c", "humidity_pct", "pm25_ugm3", "noise_db"]))
                length = int(rng.integers(6, 97))
                start = int(rng.integers(span[0], span[-1] - length))
                cols = ["pm25_ugm3", "pm10_ugm3"] if measure == "pm25_ugm3" else [measure]
                for c in cols:
                    vals[c][s, start : start + length] = vals[c][s, start]
                hrs = range(start, start + length)
                label = "+".join(cols)
            elif kind == "gap":
                length = int(rng.integers(3, 73))
                start = int(rng.integers(span[0], span[-1] - length))
                missing[s, start : start + length] = True
                hrs, label = range(start, start + length), "all"
            elif kind == "spike":
                picks = np.sort(rng.choice(span, int(rng.integers(3, 9)), replace=False))
                for h in picks:
                    measure = str(rng.choice(["pm25_ugm3", "temp_c", "noise_db"]))
                    if measure == "pm25_ugm3":
                        vals["pm25_ugm3"][s, h] = rng.uniform(300, 900)
                        vals["pm10_ugm3"][s, h] = vals["pm25_ugm3"][s, h] * rng.uniform(1.1, 1.4)
                        label = "pm25_ugm3+pm10_ugm3"
                    elif measure == "temp_c":
                        vals["temp_c"][s, h] += rng.choice([-1, 1]) * rng.uniform(15, 25)
                        label = "temp_c"
                    else:
                        vals["noise_db"][s, h] = rng.uniform(98, 118)
                        label = "noise_db"
                    truth.append((serials[s], int(h), "spike", label, episode))
                continue
            else:  # drift: a slow bias that grows until the month ends (the sensor is then serviced)
                measure = str(rng.choice(["temp_c", "humidity_pct", "pm25_ugm3"]))
                length = int(rng.integers(10 * 24, 25 * 24))
                start = span[-1] + 1 - length
                ramp = np.arange(length) / 24.0  # days since the drift began
                if measure == "temp_c":
                    vals["temp_c"][s, start : start + length] += rng.uniform(0.15, 0.3) * ramp
                elif measure == "humidity_pct":
                    vals["humidity_pct"][s, start : start + length] -= rng.uniform(0.8, 1.5) * ramp
                else:
                    vals["pm25_ugm3"][s, start : start + length] *= 1 + rng.uniform(0.04, 0.08) * ramp
                hrs, label = range(start, start + length), measure
            truth += [(serials[s], int(h), kind, label, episode) for h in hrs]
    key = pd.DataFrame(truth, columns=["serial", "hour_index", "fault_type", "measure", "episode_id"])
    key = key.drop_duplicates(["serial", "hour_index"], keep="first")
    key.insert(1, "datetime", hours[key["hour_index"].to_numpy(dtype=np.int64)])
    key = key.drop(columns="hour_index").sort_values(["serial", "datetime"]).reset_index(drop=True)
    key = key.astype({"serial": "str", "fault_type": "str", "measure": "str", "episode_id": "int64"})
    return missing, key


def readings(ctx, sens: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    pub = sens[sens["in_readings"]].reset_index(drop=True)
    hours = _hours()
    vals = true_readings(ctx, pub)
    serials = pub["serial"].to_numpy()
    missing, key = inject_faults(ctx, vals, serials, hours)
    keep = ~missing.ravel()
    n_s, n_h = missing.shape
    stamps = np.tile(hours.tz_convert("UTC").tz_localize(None).to_numpy(), n_s)[
        keep
    ]  # fast: no Timestamp objects
    df = pd.DataFrame(
        {
            "serial": np.repeat(serials, n_h)[keep],
            "datetime": pd.DatetimeIndex(stamps).tz_localize("UTC").tz_convert(city.TZ),
        }
    )
    df["pm25_ugm3"] = np.clip(np.round(vals["pm25_ugm3"].ravel()[keep]), 0, 999).astype("int16")
    df["pm10_ugm3"] = np.clip(np.round(vals["pm10_ugm3"].ravel()[keep]), 0, 999).astype("int16")
    df["temp_c"] = np.round(vals["temp_c"].ravel()[keep], 1).astype("float32")
    df["humidity_pct"] = np.clip(np.round(vals["humidity_pct"].ravel()[keep]), 0, 100).astype("int16")
    df["illuminance_lux"] = np.round(vals["illuminance_lux"].ravel()[keep]).astype("int32")
    df["noise_db"] = np.round(vals["noise_db"].ravel()[keep], 1).astype("float32")
    return df, key


def raw_day(ctx, sens: gpd.GeoDataFrame, df: pd.DataFrame, day: str = RAW_DAY) -> bytes:
    """One day of readings as the portal's daily CP949 file, with its Korean headers."""
    rng = ctx.rng("sdot_raw")
    start = pd.Timestamp(day, tz=city.TZ)
    d = df[(df["datetime"] >= start) & (df["datetime"] < start + pd.Timedelta(days=1))]
    model = sens.set_index("serial")["model_name"]
    local = d["datetime"].dt.tz_localize(None)
    reg = local + pd.Timedelta(hours=1) + pd.to_timedelta(rng.integers(30, 300, len(d)), unit="s")
    raw = pd.DataFrame(
        {
            "모델명": model.reindex(d["serial"]).to_numpy(),
            "시리얼": d["serial"].to_numpy(),
            "측정시간": local.dt.strftime("%Y%m%d%H%M").to_numpy(),
            "미세먼지2.5": d["pm25_ugm3"].to_numpy(),
            "미세먼지10": d["pm10_ugm3"].to_numpy(),
            "기온": d["temp_c"].astype("float64").round(1).to_numpy(),
            "상대습도": d["humidity_pct"].to_numpy(),
            "조도": d["illuminance_lux"].to_numpy(),
            "소음": d["noise_db"].astype("float64").round(1).to_numpy(),
            "등록일시": reg.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        }
    )
    return raw.to_csv(index=False, lineterminator="\r\n").encode("cp949")


def build(ctx) -> list[Output]:
    sens = sensors(ctx)
    df, key = readings(ctx, sens)
    return [
        Output(definitions.resource(DATASET, "sdot_sensors"), sens),
        Output(definitions.resource(DATASET, "sdot_readings"), df),
        Output(definitions.resource(DATASET, "sdot_faults"), key),
        Output(definitions.resource(DATASET, f"sdot_raw_{RAW_DAY.replace('-', '')}"), raw_day(ctx, sens, df)),
    ]
