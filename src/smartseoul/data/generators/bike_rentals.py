"""bike_rentals: Ttareungyi (따릉이) rentals 2019-2023, driven by the shared weather, calendar,
COVID drivers and the stations of ``bike_stations``.

One simulation feeds four files: daily counts by station (the backbone), the city's hourly
counts (the daily counts split over the hours of the day), a clean trip-level sample drawn
from those hours and stations, and a raw portal-style June 2023 month in the 17-column
rental-history layout (CP949, with the real quirks). Annual city totals are calibrated on the
published figures: 2020 27.86M, 2021 32.05M, 2022 40.95M (facts); 2019 and 2023 are
approximate (51,929 a day in 2019; about 120k a day in 2023)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .. import city, definitions
from ..schema import Field
from ..spec import Output
from .bike_stations import stations_full

DATASET = "bike_rentals"

#: Annual city totals the daily counts are calibrated to. 2020-2022 are published figures;
#: 2019 (51,929 a day x 365) and 2023 (about 120,000 a day x 365) are approximate.
ANNUAL_TOTALS = {2019: 18_954_085, 2020: 27_860_000, 2021: 32_050_000, 2022: 40_950_000, 2023: 43_800_000}
APPROXIMATE_YEARS = (2019, 2023)
TRIP_SAMPLE_SIZE = 200_000
RAW_MONTH = ("2023-06-01", "2023-06-30")
RAW_ROWS = 32_000

#: Share of trips by hour of day (relative weights), weekdays and days off. Weekdays peak at
#: 08 h and 18 h (commuting); days off have one broad midday-afternoon peak.
HOURLY_WEEKDAY = np.array(
    [
        1.2,
        0.7,
        0.45,
        0.3,
        0.25,
        0.5,
        1.6,
        5.5,
        10.5,
        5.8,
        3.2,
        3.2,
        3.7,
        3.7,
        3.5,
        3.8,
        4.7,
        8.5,
        12.5,
        9.8,
        7.3,
        6.2,
        4.2,
        2.5,
    ]
)
HOURLY_DAY_OFF = np.array(
    [
        2.0,
        1.4,
        0.9,
        0.6,
        0.4,
        0.4,
        0.7,
        1.3,
        2.3,
        3.5,
        4.9,
        6.1,
        7.0,
        7.5,
        7.7,
        7.6,
        7.3,
        6.9,
        6.6,
        6.0,
        5.1,
        4.3,
        3.6,
        2.6,
    ]
)
#: Seasonal taste on top of the weather (autumn is the favourite season; course estimate).
MONTH_FACTOR = np.array([0.93, 0.93, 0.98, 1.02, 1.05, 1.05, 0.95, 0.95, 1.22, 1.28, 1.05, 0.95])
#: Weekend behaviour by station kind: offices empty, parks and riverside fill up.
DAY_OFF_BY_KIND = {"business": 0.55, "residential": 1.0, "leisure": 1.9}
#: Which stations trips start from, by hour: homes in the morning, offices in the evening.
HOUR_AFFINITY = {  # (06-10 h, 16-20 h, other hours)
    "business": (0.55, 1.6, 1.0),
    "residential": (1.35, 0.8, 1.0),
    "leisure": (0.6, 1.2, 1.25),
}
#: Approximate fleet size by year (2015: 2,000 and 2024: about 45,000 are facts).
FLEET = {2019: 25_000, 2020: 37_500, 2021: 40_500, 2022: 43_500, 2023: 45_000}
#: Age mix of riders in 2019 (facts: 76.8 % in their 20s and 30s); later years drift older
#: by about 1.5 points a year (an assumption, not a published figure).
AGE_BANDS = [
    (13, 19, 0.062),
    (20, 29, 0.500),
    (30, 39, 0.268),
    (40, 49, 0.097),
    (50, 59, 0.052),
    (60, 75, 0.021),
]
COMMUTE_HOURS = (7, 8, 9, 17, 18, 19, 20, 21)
LATE_HOURS = (21, 22, 23, 0, 1)  # rides that shrink under distancing (curfews on restaurants and bars)
#: Trip geometry, tuned so that 71 % of trips are under 4 km and 57 % under 20 minutes (2019 facts).
ONE_WAY_TARGET_M = 1800.0  # median straight-line distance aimed at by one-way trips
ROUND_TRIP_MEDIAN_M = 5500.0  # median distance of a loop back to the same station
SPEED_M_PER_MIN = 175.0  # median riding speed (about 10.5 km/h)
STOP_MIN = 2.0  # mean minutes spent undocking, docking and waiting


# -- the city's daily total --------------------------------------------------------------------
def weather_factor(weather: pd.DataFrame) -> np.ndarray:
    """Fewer rides on cold, very hot and rainy days."""
    t = weather["temp_mean_c"].to_numpy()
    tmax = weather["temp_max_c"].to_numpy()
    rain = weather["rain_mm"].to_numpy()
    f_temp = 0.22 + 0.78 / (1 + np.exp(-(t - 8.0) / 4.5))
    f_heat = 1 - 0.035 * np.clip(tmax - 31.0, 0, None)
    f_rain = np.where(rain < 0.5, 1.0, 0.22 + 0.55 * np.exp(-rain / 12.0))
    return f_temp * f_heat * f_rain


def city_daily_totals(ctx, cal: pd.DataFrame, weather: pd.DataFrame) -> np.ndarray:
    """Expected rentals per day for the whole city: weather x season x calendar x COVID x a
    smooth growth curve calibrated so that each year sums to its annual total."""
    rng = ctx.rng("bike_rentals/city")
    dates = cal["date"]
    shape = (
        weather_factor(weather)
        * MONTH_FACTOR[dates.dt.month.to_numpy() - 1]
        * np.where(cal["is_day_off"].to_numpy(), 0.95, 1.0)
        * city.activity_factor(dates, "bike")
        * rng.lognormal(0, 0.06, len(dates))
    )
    years = dates.dt.year.to_numpy()
    t = (dates - dates.iloc[0]).dt.days.to_numpy().astype(float)
    anchors_t = np.array([t[years == y].mean() for y in ANNUAL_TOTALS])
    log_level = np.log(np.array([ANNUAL_TOTALS[y] / (years == y).sum() for y in ANNUAL_TOTALS]))
    for _ in range(60):  # fixed point: a smooth curve whose yearly sums hit the targets
        total = np.exp(np.interp(t, anchors_t, log_level)) * shape
        for i, y in enumerate(ANNUAL_TOTALS):
            log_level[i] += np.log(ANNUAL_TOTALS[y] / total[years == y].sum())
    return np.exp(np.interp(t, anchors_t, log_level)) * shape


def simulate_daily(ctx) -> dict:
    """Daily rentals and returns for every station on every day it was open."""
    if "bike_daily" in ctx.memo:
        return ctx.memo["bike_daily"]
    st = stations_full(ctx)
    cal = city.calendar()
    weather = ctx.get("weather", "weather_daily").reset_index(drop=True)
    assert len(weather) == len(cal), "weather and calendar must cover the same days"
    expected = city_daily_totals(ctx, cal, weather)
    rng = ctx.rng("bike_rentals/daily")
    days = cal["date"].to_numpy().astype("datetime64[D]")
    installed = st["installed_date"].to_numpy().astype("datetime64[D]")
    age = (days[None, :] - installed[:, None]).astype(np.int64)  # stations x days
    active = age >= 0
    ramp = np.clip(0.5 + 0.5 * age / 90.0, 0, 1)  # a new station takes about 3 months to fill up
    day_off = cal["is_day_off"].to_numpy()
    kind_mult = st["_kind"].map(DAY_OFF_BY_KIND).to_numpy()
    w = st["_popularity"].to_numpy()[:, None] * ramp * np.where(day_off[None, :], kind_mult[:, None], 1.0)
    w = np.where(active, w, 0.0)
    share = w / w.sum(axis=0, keepdims=True)
    lam = share * expected[None, :]
    rentals = rng.poisson(lam * rng.gamma(6.0, 1 / 6.0, lam.shape))
    # returns: the same trips end elsewhere; some stations are net sources, others net sinks
    v = w * rng.lognormal(0, 0.3, len(st))[:, None]
    lam_r = v / v.sum(axis=0, keepdims=True) * expected[None, :]
    returns = rng.poisson(lam_r * rng.gamma(6.0, 1 / 6.0, lam.shape))
    rentals = np.where(active, rentals, 0)
    returns = np.where(active, returns, 0)
    out = {
        "stations": st,
        "cal": cal,
        "weather": weather,
        "rentals": rentals,
        "returns": returns,
        "active": active,
    }
    ctx.memo["bike_daily"] = out
    return out


def hourly_counts(ctx, daily: dict) -> np.ndarray:
    """Split each day's city total over its 24 hours (days x 24); rain in an hour keeps riders home."""
    rng = ctx.rng("bike_rentals/hourly")
    cal = daily["cal"]
    hw = ctx.get("weather", "weather_hourly")
    rain_h = hw["rain_mm"].to_numpy().reshape(len(cal), 24)
    prof = np.where(cal["is_day_off"].to_numpy()[:, None], HOURLY_DAY_OFF[None, :], HOURLY_WEEKDAY[None, :])
    prof = prof * np.where(rain_h >= 0.5, 0.35, 1.0)
    # distancing closed restaurants and bars early: fewer late-evening rides (the same stages as
    # every other dataset, from city.distancing_level)
    level = city.distancing_level(cal["date"])
    late = np.isin(np.arange(24), LATE_HOURS)[None, :]
    prof = prof * np.where(late & (level[:, None] >= 2), 1 - 0.1 * np.minimum(level[:, None], 4), 1.0)
    prof = prof / prof.sum(axis=1, keepdims=True)
    totals = daily["rentals"].sum(axis=0)
    return rng.multinomial(totals, prof)


# -- trips ---------------------------------------------------------------------------------------
def _trip_frame(
    ctx, key: str, daily: dict, hourly: np.ndarray, day_mask: np.ndarray, rate: float
) -> pd.DataFrame:
    """Trips sampled at ``rate`` from the hourly counts of the masked days, with origin, time,
    destination, distance, duration and rider details."""
    rng = ctx.rng(key)
    st, cal = daily["stations"], daily["cal"]
    n_by_hour = rng.binomial(np.where(day_mask[:, None], hourly, 0), rate)
    day_i, hour = np.nonzero(n_by_hour)
    reps = n_by_hour[day_i, hour]
    day_i, hour = np.repeat(day_i, reps), np.repeat(hour, reps)
    n = len(day_i)
    # origin: that day's station counts, tilted by who rides at that hour
    kinds = st["_kind"].to_numpy()
    hclass = np.where((hour >= 6) & (hour <= 10), 0, np.where((hour >= 16) & (hour <= 20), 1, 2))
    aff = np.array([[HOUR_AFFINITY[k][c] for c in range(3)] for k in kinds])  # stations x 3
    origin = np.empty(n, dtype=np.int64)
    order = np.lexsort((hclass, day_i))
    d_sorted, c_sorted = day_i[order], hclass[order]
    bounds = np.flatnonzero(np.diff(d_sorted * 3 + c_sorted)) + 1
    for grp in np.split(order, bounds):
        d, c = day_i[grp[0]], hclass[grp[0]]
        wts = daily["rentals"][:, d] * aff[:, c]
        if wts.sum() == 0:
            wts = daily["active"][:, d].astype(float)
        cdf = np.cumsum(wts)
        origin[grp] = np.searchsorted(cdf, rng.random(len(grp)) * cdf[-1], side="right")
    # destination: a round trip (leisure loop) or the nearest open station to a random target
    xy = st[["_x", "_y"]].to_numpy()
    kind_o = kinds[origin]
    round_trip = rng.random(n) < np.where(kind_o == "leisure", 0.35, 0.08)
    target_d = rng.lognormal(np.log(ONE_WAY_TARGET_M), 0.8, n)
    ang = rng.uniform(0, 2 * np.pi, n)
    target = xy[origin] + np.column_stack([np.cos(ang), np.sin(ang)]) * target_d[:, None]
    dest = origin.copy()
    days = cal["date"].to_numpy().astype("datetime64[D]")
    month = days.astype("datetime64[M]")[day_i]
    installed = st["installed_date"].to_numpy().astype("datetime64[D]")
    for m in np.unique(month):
        rows = np.flatnonzero((month == m) & ~round_trip)
        if not len(rows):
            continue
        open_idx = np.flatnonzero(installed <= days[day_i[rows]].min())
        tree = cKDTree(xy[open_idx])
        _, nn = tree.query(target[rows], k=2)
        first, second = open_idx[nn[:, 0]], open_idx[nn[:, 1]]
        dest[rows] = np.where(first == origin[rows], second, first)
    straight = np.hypot(*(xy[dest] - xy[origin]).T)
    distance = np.where(
        round_trip,
        rng.lognormal(np.log(ROUND_TRIP_MEDIAN_M), 0.65, n),
        straight * rng.lognormal(np.log(1.3), 0.12, n),
    )
    speed = rng.lognormal(np.log(SPEED_M_PER_MIN), 0.3, n) * np.where(round_trip, 0.8, 1.0)  # metres a minute
    duration = np.ceil(distance / speed + rng.exponential(STOP_MIN, n)).astype(np.int64)
    duration = np.clip(duration, 1, 600)
    distance = np.where(rng.random(n) < 0.01, 0.0, np.round(distance, -1))  # GPS gaps record 0 m
    # times
    start = (
        days[day_i].astype("datetime64[s]")
        + hour.astype("timedelta64[h]")
        + rng.integers(0, 3600, n).astype("timedelta64[s]")
    )
    end = start + (duration * 60 - rng.integers(0, 60, n)).astype("timedelta64[s]")
    # riders
    year = days[day_i].astype("datetime64[Y]").astype(int) + 1970
    base = np.array([b[2] for b in AGE_BANDS])
    per_year = np.array([0.0, -0.009, -0.006, 0.0075, 0.00525, 0.00225])  # 20s-30s lose 1.5 points a year
    mix = base[None, :] + per_year[None, :] * (year - 2019)[:, None]
    band = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1)
    band = np.minimum(band, len(AGE_BANDS) - 1)
    lo = np.array([b[0] for b in AGE_BANDS])[band]
    hi = np.array([b[1] for b in AGE_BANDS])[band]
    age = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(int)
    birth = pd.array(year - age, dtype="Int64")
    birth[rng.random(n) < 0.015] = pd.NA
    sex = np.where(rng.random(n) < 0.58, "M", "F").astype(object)
    sex[rng.random(n) < 0.02] = None
    fleet = np.array([FLEET[y] for y in year])
    bike = np.floor(rng.random(n) * fleet).astype(int) + 1
    lcd = st["lcd_docks"].to_numpy()
    dock_o = np.where(
        lcd[origin] > 0, np.floor(rng.random(n) * np.maximum(lcd[origin], 1)).astype(int) + 1, 0
    )
    dock_d = np.where(lcd[dest] > 0, np.floor(rng.random(n) * np.maximum(lcd[dest], 1)).astype(int) + 1, 0)
    df = pd.DataFrame(
        {
            "bike_id": [f"SPB-{b:05d}" for b in bike],
            "rented_at": pd.to_datetime(start).tz_localize(city.TZ),
            "rental_station_no": st["station_no"].to_numpy()[origin],
            "rental_station_id": st["station_id"].to_numpy()[origin],
            "rental_dock": dock_o,
            "returned_at": pd.to_datetime(end).tz_localize(city.TZ),
            "return_station_no": st["station_no"].to_numpy()[dest],
            "return_station_id": st["station_id"].to_numpy()[dest],
            "return_dock": dock_d,
            "duration_min": duration,
            "distance_m": distance.astype(float),
            "birth_year": birth,
            "sex": pd.array(sex, dtype="string"),
            "user_type": np.where(rng.random(n) < 0.985, "내국인", "외국인"),
            "bike_type": "일반자전거",
            "_origin": origin,
            "_dest": dest,
        }
    )
    df = df.sort_values(["rented_at", "bike_id"], kind="stable").reset_index(drop=True)
    return df


TRIP_COLUMNS = [
    "bike_id",
    "rented_at",
    "rental_station_no",
    "rental_station_id",
    "rental_dock",
    "returned_at",
    "return_station_no",
    "return_station_id",
    "return_dock",
    "duration_min",
    "distance_m",
    "birth_year",
    "sex",
    "user_type",
    "bike_type",
]

RAW_HEADER = [
    "자전거번호",
    "대여일시",
    "대여 대여소번호",
    "대여 대여소명",
    "대여거치대",
    "반납일시",
    "반납대여소번호",
    "반납대여소명",
    "반납거치대",
    "이용시간(분)",
    "이용거리(M)",
    "생년",
    "성별",
    "이용자종류",
    "대여대여소ID",
    "반납대여소ID",
    "자전거구분",
]


def raw_month_bytes(
    trips: pd.DataFrame, st: pd.DataFrame, rng: np.random.Generator
) -> tuple[bytes, dict[str, list[int]]]:
    """June 2023 in the portal's 17-column layout, CP949, with the quirks the facts report; and the
    rows (numbered from 1, the header is row 1) of the quirks a validator reports, by error."""
    names = st["station_name"].to_numpy()
    n = len(trips)
    fmt = "%Y-%m-%d %H:%M:%S"
    rented = trips["rented_at"].dt.strftime(fmt).to_numpy().astype(object)
    returned = trips["returned_at"].dt.strftime(fmt).to_numpy().astype(object)
    birth = trips["birth_year"].astype("string").fillna("").to_numpy().astype(object)
    sex = trips["sex"].fillna("").to_numpy().astype(object)
    rid = trips["rental_station_id"].to_numpy().astype(object)
    did = trips["return_station_id"].to_numpy().astype(object)
    dock_r = trips["return_dock"].astype(str).to_numpy().astype(object)
    o_name = names[trips["_origin"].to_numpy()].astype(object)
    d_name = names[trips["_dest"].to_numpy()].astype(object)
    # quirks ---------------------------------------------------------------------------------
    pick = rng.permutation(n)
    on_23 = np.flatnonzero(trips["rented_at"].dt.day.to_numpy() == 23)
    for i in rng.choice(on_23, 2, replace=False):  # the 2323-06-23 typo date
        returned[i] = "2323" + returned[i][4:]
    birth[pick[2 : 2 + int(0.01 * n)]] = "\\N"  # missing birth years come as \N or blank
    centre = pick[500:512]  # station-ID columns holding a centre's name
    for j, i in enumerate(centre):
        if j % 2:
            did[i] = "상암센터" if j % 4 == 1 else "중랑센터"
        else:
            rid[i] = "상암센터"
    quoted = pick[600:603]  # stray quotes around a dock number
    for i in quoted:
        dock_r[i] = '""0"'
    lines = [",".join(RAW_HEADER)]
    cols = [
        trips["bike_id"].to_numpy(),
        rented,
        trips["rental_station_no"].to_numpy(),
        o_name,
        trips["rental_dock"].astype(str).to_numpy(),
        returned,
        trips["return_station_no"].to_numpy(),
        d_name,
        dock_r,
        trips["duration_min"].astype(str).to_numpy(),
        np.char.mod("%.2f", trips["distance_m"].to_numpy()),
        birth,
        sex,
        trips["user_type"].to_numpy(),
        rid,
        did,
        trips["bike_type"].to_numpy(),
    ]
    extra = set(pick[700:702].tolist())  # an unquoted comma in a name: 18 fields
    short = set(pick[800:803].tolist())  # a row cut short: 13 fields
    for i in range(n):
        row = [str(c[i]) for c in cols]
        if "," in row[3] and i not in extra:
            row[3] = f'"{row[3]}"'
        if "," in row[7] and i not in extra:
            row[7] = f'"{row[7]}"'
        if i in extra:
            row[3] = row[3] + ", 한강공원 방향"
        if i in short:
            row = row[:13]
        lines.append(",".join(row))
    quirk_rows = {"extra-cell": sorted(i + 2 for i in extra), "missing-cell": sorted(i + 2 for i in short)}
    return ("\n".join(lines) + "\n").encode("cp949"), quirk_rows


# -- the raw file's fields and the resources --------------------------------------------------
def raw_fields(trip_fields: list[Field]) -> list[Field]:
    """The 17 columns of the raw file, by their Korean header, described from the bike_trips field
    each becomes."""
    clean = {f.name_ko: f for f in trip_fields}
    out = []
    names = {"대여 대여소명": "start", "반납대여소명": "end"}
    for ko in RAW_HEADER:
        if ko in names:
            out.append(
                Field(
                    ko,
                    "string",
                    f"Name of the {names[ko]} station. Not kept in bike_trips: join bike_stations.station_name on the number.",
                    ko,
                )
            )
            continue
        f = clean[ko]
        out.append(
            Field(
                ko,
                "string",
                f"{f.description} Read it as text; in bike_trips it is `{f.name}`.",
                ko,
                unit=f.unit,
            )
        )
    return out


def build(ctx) -> list[Output]:
    daily = simulate_daily(ctx)
    st, cal = daily["stations"], daily["cal"]
    hourly = hourly_counts(ctx, daily)
    # daily counts by station (open station-days only)
    si, di = np.nonzero(daily["active"].T)  # day-major order
    daily_df = pd.DataFrame(
        {
            "date": cal["date"].to_numpy()[si].astype("datetime64[ns]"),
            "station_no": pd.Categorical(
                st["station_no"].to_numpy()[di], categories=st["station_no"].to_numpy()
            ),
            "rentals": daily["rentals"][di, si].astype(np.int32),
            "returns": daily["returns"][di, si].astype(np.int32),
        }
    )
    hourly_df = pd.DataFrame(
        {
            "datetime": pd.date_range(city.START, periods=hourly.size, freq="h", tz=city.TZ),
            "rentals": hourly.ravel().astype(np.int32),
        }
    )
    total = daily["rentals"].sum()
    trips = _trip_frame(
        ctx, "bike_rentals/trips", daily, hourly, np.ones(len(cal), dtype=bool), TRIP_SAMPLE_SIZE / total
    )
    june = ((cal["date"] >= RAW_MONTH[0]) & (cal["date"] <= RAW_MONTH[1])).to_numpy()
    june_trips = _trip_frame(ctx, "bike_rentals/raw", daily, hourly, june, RAW_ROWS / hourly[june].sum())
    raw, quirk_rows = raw_month_bytes(june_trips, st, ctx.rng("bike_rentals/raw-quirks"))

    raw_columns = raw_fields(definitions.schema(DATASET, "bike_trips").fields)
    return [
        Output(definitions.resource(DATASET, "bike_rentals_daily"), daily_df),
        Output(definitions.resource(DATASET, "bike_rentals_hourly"), hourly_df),
        Output(definitions.resource(DATASET, "bike_trips"), trips[TRIP_COLUMNS]),
        Output(
            definitions.resource(
                DATASET, "bike_rentals_raw", {"raw_columns": raw_columns}, quirk_rows=quirk_rows
            ),
            raw,
        ),
    ]
