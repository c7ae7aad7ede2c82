"""subway: monthly ridership by line, station and hour, 2019-2023 (lines 1-9 inside Seoul).

Shaped like OA-12252 (서울시 지하철 호선별 역별 시간대별 승하차 인원 정보): one row per month, line
and station with 24 one-hour slots (04시-05시 ... 03시-04시) of boardings (승차) and alightings
(하차). Station names are the real ones; positions are approximate (our own estimates, checked
to fall inside Seoul). Volumes are synthetic, calibrated on published magnitudes (busiest and
quietest stations, system totals), and shaped by the shared city: the COVID distancing drivers,
the calendar (weekends, holidays) and the weather."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import city, definitions
from ..schema import Field
from ..spec import Output

DATASET = "subway"
START, END = "2019-01-01", "2023-12-31"

#: Average daily boardings + alightings in a normal year (2019 level), from published station
#: rankings (2024 figures, fact subway-busiest-2024); 강남 was the busiest station until 2022, 잠실 after.
FIXED_VOLUME = {
    ("2", "강남"): 160_000,
    ("2", "잠실"): 150_000,
    ("2", "홍대입구"): 148_000,
    ("2", "구로디지털단지"): 105_000,
    ("1", "서울역"): 104_000,
    ("2", "신림"): 103_000,
    ("2", "삼성"): 100_000,
    ("2", "성수"): 86_000,
    ("2", "도림천"): 2_600,
    ("9", "둔촌오륜"): 1_500,
}
#: 잠실's ridership grows faster than the rest (new towers and offices): it overtakes 강남.
GROWTH = {("2", "잠실"): 0.03}
#: Other well-known busy stations (60-95k a day in our simulation).
BUSY = {
    ("3", "고속터미널"),
    ("2", "사당"),
    ("2", "선릉"),
    ("2", "역삼"),
    ("2", "서울대입구"),
    ("2", "을지로입구"),
    ("2", "신도림"),
    ("2", "건대입구"),
    ("2", "신촌"),
    ("2", "교대"),
    ("1", "영등포"),
    ("5", "여의도"),
    ("5", "광화문"),
    ("1", "종각"),
    ("4", "노원"),
    ("4", "수유"),
    ("2", "왕십리"),
    ("2", "합정"),
    ("4", "명동"),
    ("2", "시청"),
    ("1", "신도림"),
    ("4", "혜화"),
    ("2", "역삼"),
    ("9", "신논현"),
    ("2", "서초"),
    ("2", "대림"),
    ("3", "연신내"),
    ("5", "까치산"),
    ("2", "영등포구청"),
    ("9", "여의도"),
}
#: Stations where nightlife and shopping add late-evening boardings.
NIGHTLIFE = {
    "홍대입구",
    "강남",
    "건대입구",
    "신촌",
    "이태원",
    "합정",
    "신림",
    "종각",
    "잠실",
    "성수",
    "명동",
    "을지로3가",
    "신논현",
    "상수",
}
#: Office districts: people alight in the morning and board in the evening.
OFFICE = {
    "시청",
    "을지로입구",
    "을지로3가",
    "을지로4가",
    "종각",
    "광화문",
    "서울역",
    "회현",
    "명동",
    "여의도",
    "여의나루",
    "국회의사당",
    "샛강",
    "삼성",
    "선릉",
    "역삼",
    "강남",
    "교대",
    "서초",
    "구로디지털단지",
    "가산디지털단지",
    "디지털미디어시티",
    "양재",
    "문정",
    "공덕",
    "충정로",
    "종로3가",
    "안국",
    "경복궁",
    "서대문",
    "삼성중앙",
    "언주",
    "선정릉",
    "신논현",
    "강남구청",
    "학동",
    "논현",
    "성수",
    "뚝섬",
    "문래",
    "당산",
    "영등포구청",
    "마곡",
    "마곡나루",
    "발산",
    "신용산",
    "삼각지",
}
#: Group totals of average daily boardings + alightings (normal year): Seoul Metro lines 1-8
#: about 6.6M; all lines 1-9 inside Seoul about 8.8M (facts subway-system-2024 and subway-lines-1-9-2024, approximate).
TOTAL_SEOUL_METRO = 6_600_000
TOTAL_KORAIL_LINE1 = 1_150_000
TOTAL_LINE9 = 1_050_000

#: Relative size of an ordinary station by line (line 2, the circle line, is the busiest).
LINE_WEIGHT = {"1": 1.2, "2": 1.8, "3": 1.0, "4": 1.1, "5": 0.9, "6": 0.7, "7": 1.0, "8": 0.8, "9": 1.0}

WEEKDAY = np.array([1.00, 1.01, 1.01, 1.02, 1.07, 0.72, 0.52])  # Mon..Sun
HOLIDAY = 0.55
MONTH = np.array([0.95, 0.97, 1.00, 1.02, 1.05, 1.00, 0.99, 0.95, 1.00, 1.02, 1.02, 1.00])
HOURS = np.r_[np.arange(4, 24), np.arange(0, 4)]  # the file's slot order: 04시-05시 ... 03시-04시


def station_table() -> pd.DataFrame:
    """Real station names by line, inside Seoul, in line order; "gu_name" is the station's district
    as we know it; lat/lon are approximate positions (our estimates). Transfer stations appear once
    per line. Line 1 includes the Korail-run stations inside Seoul (operator column)."""
    df = city.reference_table("seoul_subway_stations.csv")
    df["lat"] = df["lat"].astype(float)
    df["lon"] = df["lon"].astype(float)
    df["line"] = df["line_no"] + "호선"
    return df


def _bump(h: np.ndarray, mean: float, sd: float) -> np.ndarray:
    d = np.minimum(np.abs(h - mean), 24 - np.abs(h - mean))
    return np.exp(-0.5 * (d / sd) ** 2)


def _norm(v: np.ndarray) -> np.ndarray:
    return v / v.sum()


def hourly_shapes() -> dict[str, np.ndarray]:
    """Shares of a day's flow per one-hour slot (slot h covers h:00-h+1:00) for each kind of trip end."""
    h = np.arange(24, dtype=float)
    service = np.where((h >= 1) & (h < 5), 0.0, 1.0)  # trains stop about 01:00-05:30
    service[5] = 0.8
    shapes = {
        "home_am_board": _bump(h, 7.55, 0.85) + 0.06 * _bump(h, 10.5, 1.5),
        "work_am_alight": _bump(h, 8.2, 0.8) + 0.06 * _bump(h, 10.5, 1.5),
        "work_pm_board": _bump(h, 18.1, 0.95) + 0.25 * _bump(h, 21.0, 1.5),
        "home_pm_alight": _bump(h, 18.45, 1.1) + 0.3 * _bump(h, 21.8, 1.4),
        "other": _bump(h, 15.0, 3.3) + 0.5 * _bump(h, 18.0, 0.9),
        "night_board": _bump(h, 22.5, 1.2) + 0.25 * _bump(h, 0.0, 0.4),
    }
    return {k: _norm(v * service + (h == 4) * 0.0005) for k, v in shapes.items()}


def daily_factors(weather: pd.DataFrame) -> pd.DataFrame:
    """Relative ridership of each day 2019-2023 (mean 1 over 2019), before station effects."""
    cal = city.calendar(START, END)
    f = WEEKDAY[cal["weekday"].to_numpy()]
    f = np.where(cal["is_holiday"], HOLIDAY, f) * MONTH[cal["date"].dt.month.to_numpy() - 1]
    w = weather.set_index("date").reindex(cal["date"])
    wet = w["rain_mm"].to_numpy() >= 20
    cold = w["temp_mean_c"].to_numpy() < -7
    f = f * np.where(wet, 0.96, 1.0) * np.where(cold, 0.97, 1.0)
    cal["base"] = f / f[cal["date"].dt.year.to_numpy() == 2019].mean()
    cal["covid"] = city.activity_factor(cal["date"], "subway")
    cal["night"] = city.activity_factor(cal["date"], "nightlife")
    return cal


def simulate(ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = ctx.rng("subway")
    st = station_table()
    # gu codes and the character of the area around each station (from the shared dongs)
    gu = city.gu_facts().set_index("name_ko")
    st["gu_code"] = st["gu_name"].map(gu["code"])
    dongs = ctx.get("geography", "dongs")
    pop = ctx.get("geography", "dong_population").set_index("dong_code")
    pts = gpd.GeoDataFrame(st, geometry=gpd.points_from_xy(st["lon"], st["lat"]), crs=city.CRS_WGS84).to_crs(
        city.CRS_METRIC
    )
    joined = gpd.sjoin_nearest(pts, dongs[["dong_code", "geometry"]], how="left")
    joined = joined[~joined.index.duplicated()]
    st["dong_code"] = joined["dong_code"].to_numpy()
    daytime = st["dong_code"].map(pop["daytime_ratio"]).to_numpy()
    office = st["station"].isin(OFFICE).to_numpy()
    # business share: office stations mostly receive commuters, the others mostly send them
    b = np.clip(0.3 + 0.25 * (daytime - 0.85), 0.15, 0.55)
    b = np.where(office, rng.uniform(0.65, 0.88, len(st)), b)
    night = st["station"].isin(NIGHTLIFE).to_numpy()
    # volumes: fixed stations, busy stations, the rest drawn and scaled to the group totals
    key = list(zip(st["line_no"], st["station"]))
    n_lines = st.groupby("station")["line_no"].transform("count").to_numpy()
    line_weight = st["line_no"].map(LINE_WEIGHT).to_numpy()
    vol = rng.lognormal(0.0, 0.45, len(st)) * line_weight * (1 + 0.3 * (n_lines - 1)) * (1 + 0.6 * b)
    fixed = np.array([k in FIXED_VOLUME for k in key])
    busy = np.array([k in BUSY for k in key]) & ~fixed
    vol = np.where(busy, rng.uniform(62_000, 94_000, len(st)), vol)
    vol = np.where(fixed, [FIXED_VOLUME.get(k, 0) for k in key], vol)
    free = ~fixed & ~busy
    # the network is (nearly) closed: morning boardings at homes = morning alightings at work,
    # so the volume-weighted business share must be one half; shift the non-office stations
    for _ in range(3):
        gap = 0.5 - np.average(b, weights=vol)
        b = np.where(office, b, np.clip(b + gap * vol.sum() / vol[~office].sum(), 0.1, 0.6))
    for op, total in (
        ("Seoul Metro", TOTAL_SEOUL_METRO),
        ("Korail", TOTAL_KORAIL_LINE1),
        ("Line 9", TOTAL_LINE9),
    ):
        m = (st["operator"] == op).to_numpy()
        left = total - vol[m & ~free].sum()
        vol[m & free] = vol[m & free] / vol[m & free].sum() * left
    vol = np.where(free, np.clip(vol, 4_000, 58_000), vol)
    st["daily_volume_2019"] = np.round(vol).astype(np.int64)
    st["business_share"] = b.round(3)
    st["nightlife"] = night

    # day factors -> month sums, per station (COVID hits office and nightlife areas harder)
    cal = daily_factors(ctx.get("weather", "weather_daily"))
    cal["month"] = cal["date"].dt.to_period("M")
    weekday_like = (~cal["is_day_off"]).astype(float)
    months = cal["month"].unique()
    mi = pd.factorize(cal["month"])[0]
    years = (cal["date"].dt.year + (cal["date"].dt.day_of_year - 1) / 365.0 - 2019).to_numpy()
    shapes = hourly_shapes()
    nS, nM = len(st), len(months)
    board = np.zeros((nM, nS, 24))
    alight = np.zeros((nM, nS, 24))
    c = 0.55  # share of trips that are commutes on a working day
    for s in range(nS):
        grow = (1 + GROWTH.get(key[s], 0.0)) ** years
        covid = cal["covid"].to_numpy() ** (1.0 + 1.2 * (b[s] - 0.5))  # office areas fall further
        if night[s]:
            covid = covid * (cal["night"].to_numpy() / cal["covid"].to_numpy()) ** 0.35
        day_total = vol[s] * cal["base"].to_numpy() * covid * grow  # boardings + alightings
        commute = day_total * c * np.where(weekday_like > 0, 1.0, 0.3)
        other = day_total - commute
        half_c = np.bincount(mi, commute / 2, nM)
        half_o = np.bincount(mi, other / 2, nM)
        R, W = half_c * (1 - b[s]), half_c * b[s]
        nb = 0.18 if night[s] else 0.05
        board[:, s] = (
            R[:, None] * shapes["home_am_board"]
            + W[:, None] * shapes["work_pm_board"]
            + half_o[:, None] * ((1 - nb) * shapes["other"] + nb * shapes["night_board"])
        )
        alight[:, s] = (
            W[:, None] * shapes["work_am_alight"]
            + R[:, None] * shapes["home_pm_alight"]
            + half_o[:, None] * shapes["other"]
        )
    noise = rng.lognormal(0.0, 0.025, (nM, nS, 1))
    board = np.round(board * noise * rng.lognormal(0, 0.02, board.shape)).astype(np.int64)
    alight = np.round(alight * noise * rng.lognormal(0, 0.02, alight.shape)).astype(np.int64)
    month_start = pd.PeriodIndex(months).to_timestamp()
    long = pd.DataFrame(
        {
            "month": np.repeat(month_start.values, nS * 24),
            "line": np.tile(np.repeat(st["line"].to_numpy(), 24), nM),
            "station": np.tile(np.repeat(st["station"].to_numpy(), 24), nM),
            "hour": np.tile(np.arange(24), nM * nS).astype(np.int64),
            "boardings": board.ravel(),
            "alightings": alight.ravel(),
        }
    )
    return st, long


def raw_csv(long: pd.DataFrame, years: tuple[int, ...]) -> bytes:
    """The portal file: 사용월, 호선명, 지하철역, 48 slot columns, 작업일자; newest month first; CP949."""
    sub = long[long["month"].dt.year.isin(years)]
    b = sub.pivot_table(index=["month", "line", "station"], columns="hour", values="boardings", sort=False)
    a = sub.pivot_table(index=["month", "line", "station"], columns="hour", values="alightings", sort=False)
    out = pd.DataFrame(index=b.index)
    for h in HOURS:
        label = f"{h:02d}시-{(h + 1) % 24:02d}시"
        out[f"{label} 승차인원"] = b[h].astype(np.int64)
        out[f"{label} 하차인원"] = a[h].astype(np.int64)
    out = out.reset_index()
    work = (out["month"] + pd.offsets.MonthBegin(1) + pd.Timedelta(days=2)).dt.strftime("%Y%m%d")
    out.insert(0, "사용월", out.pop("month").dt.strftime("%Y%m"))
    out = out.rename(columns={"line": "호선명", "station": "지하철역"})
    out["작업일자"] = work
    out = out.sort_values(["사용월", "호선명", "지하철역"], ascending=[False, True, True], kind="stable")
    return out.to_csv(index=False, lineterminator="\n").encode("cp949")


def hour_slot_fields() -> list[Field]:
    """The raw file's 48 slot columns: boardings and alightings for 04시-05시 ... 03시-04시."""
    fields = []
    for h in HOURS:
        label = f"{h:02d}시-{(h + 1) % 24:02d}시"
        for column, what in ((f"{label} 승차인원", "Boardings"), (f"{label} 하차인원", "Alightings")):
            fields.append(
                Field(
                    column,
                    "integer",
                    f"{what} in the hour {label} summed over the month.",
                    column,
                    unit="persons per month",
                    minimum=0,
                )
            )
    return fields


RAW_YEARS = (2019, 2020)


def build(ctx) -> list[Output]:
    st, long = simulate(ctx)
    st_out = st[
        [
            "line",
            "station",
            "operator",
            "gu_code",
            "gu_name",
            "dong_code",
            "lat",
            "lon",
            "daily_volume_2019",
            "business_share",
            "nightlife",
        ]
    ].copy()
    st_out["is_transfer"] = st_out.groupby("station")["line"].transform("count") > 1
    raw = definitions.resource(DATASET, "subway_ridership_raw", {"hour_slots": hour_slot_fields()})
    return [
        Output(definitions.resource(DATASET, "subway_ridership"), long),
        Output(raw, raw_csv(long, RAW_YEARS)),
        Output(definitions.resource(DATASET, "subway_stations"), st_out),
    ]
